"""Settings from the environment: safe defaults, refusal without real secrets, HTTPS on in production."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command

PRODUCTION = {
    "DJANGO_SECRET_KEY": "k" * 30 + "-production-secret-key-for-tests",
    "DJANGO_ALLOWED_HOSTS": "clinic.example",
}


def run_django(code, env, tmp_path):
    """Run Python with a fresh Django configured by `env` only (nothing inherited from this test run)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "INQUIRY_"))}
    clean.update(DJANGO_SETTINGS_MODULE="clinic_site.settings", DJANGO_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings\n{code}"],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_ALLOWED_HOSTS": "clinic.example"},
        {"DJANGO_ALLOWED_HOSTS": "clinic.example", "DJANGO_SECRET_KEY": "django-insecure-" + "x" * 50},
        {"DJANGO_ALLOWED_HOSTS": "clinic.example", "DJANGO_SECRET_KEY": "short"},
        {"DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"]},
    ],
    ids=["no secret", "placeholder secret", "short secret", "no allowed hosts"],
)
def test_production_refuses_to_start_without_real_secrets(env, tmp_path):
    result = run_django("print(settings.DEBUG)", env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_turns_https_protections_on(tmp_path):
    code = (
        "print(settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, "
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
    )
    result = run_django(code, PRODUCTION, tmp_path)
    assert result.stdout.split() == ["False", "True", "31536000", "True", "True"], result.stderr


def test_local_http_serving_turns_them_off_but_keeps_debug_off(tmp_path):
    code = "print(settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE)"
    result = run_django(code, {**PRODUCTION, "DJANGO_LOCAL_HTTP": "1"}, tmp_path)
    assert result.stdout.split() == ["False", "False", "0", "False"], result.stderr


def test_check_deploy_is_clean_with_only_secret_and_hosts(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(DJANGO_DATA_DIR=str(tmp_path), **PRODUCTION)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def _generated_keys(folder, mode=0o600):
    """The two key files `make run` writes into the data folder (umask 077)."""
    keys = {"secret_key": "g" * 60 + "-generated-secret", "inquiry_key": Fernet.generate_key().decode()}
    for name, key in keys.items():
        (folder / name).write_text(key + "\n")
        (folder / name).chmod(mode)
    return keys


def test_manage_py_after_make_run_uses_the_generated_keys_on_localhost_only(tmp_path):
    """`manage.py shell` (or createsuperuser, changepassword) with nothing set, after `make run`."""
    keys = _generated_keys(tmp_path)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "INQUIRY_"))}
    code = (
        "from django.conf import settings\n"
        "print(settings.SECRET_KEY, settings.INQUIRY_ENCRYPTION_KEYS[0], ','.join(settings.ALLOWED_HOSTS), "
        "settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "--command", code],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        keys["secret_key"],
        keys["inquiry_key"],
        "localhost,127.0.0.1,[::1]",  # a local site: no other host is answered unless told
        "False",
        "True",  # the HTTPS protections stay on: only DJANGO_LOCAL_HTTP turns them off
        "True",
    ], result.stderr


def test_the_environment_wins_over_generated_keys(tmp_path):
    _generated_keys(tmp_path)
    inquiry_key = Fernet.generate_key().decode()
    code = "print(settings.SECRET_KEY, settings.INQUIRY_ENCRYPTION_KEYS, settings.ALLOWED_HOSTS)"
    result = run_django(code, {**PRODUCTION, "INQUIRY_ENCRYPTION_KEY": inquiry_key}, tmp_path)
    assert result.stdout.split() == [
        PRODUCTION["DJANGO_SECRET_KEY"],
        f"['{inquiry_key}']",
        "['clinic.example']",
    ], result.stderr


@pytest.mark.parametrize("name", ["secret_key", "inquiry_key"])
def test_a_generated_key_other_users_can_read_is_refused(name, tmp_path):
    _generated_keys(tmp_path)
    (tmp_path / name).chmod(0o644)
    result = run_django("print(settings.SECRET_KEY)", {}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "open to other users" in result.stderr


def test_default_database_is_sqlite_in_the_data_folder_in_wal_mode(tmp_path):
    code = (
        "from django.db import connection\n"
        "cursor = connection.cursor()\n"
        "print(settings.DATABASES['default']['NAME'])\n"
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0])\n"
        "print(cursor.execute('PRAGMA busy_timeout').fetchone()[0])\n"
        "print(settings.DATABASES['default']['OPTIONS']['transaction_mode'])"
    )
    result = run_django(code, PRODUCTION, tmp_path)
    assert result.stdout.split() == [str(tmp_path / "db.sqlite3"), "wal", "20000", "IMMEDIATE"], result.stderr


def test_database_url_selects_postgresql(tmp_path):
    code = "d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'])"
    env = {**PRODUCTION, "DATABASE_URL": "postgres://clinic@db.internal:5433/clinic"}
    result = run_django(code, env, tmp_path)
    assert result.stdout.split() == ["django.db.backends.postgresql", "clinic", "db.internal", "5433"], (
        result.stderr
    )


def test_debug_is_off_unless_asked_for(tmp_path):
    assert run_django("print(settings.DEBUG)", PRODUCTION, tmp_path).stdout.strip() == "False"
    assert run_django("print(settings.DEBUG)", {"DJANGO_DEBUG": "1"}, tmp_path).stdout.strip() == "True"


def test_no_migrations_are_missing(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_make_run_links_emails_to_the_port_it_serves():
    """Front-desk emails link to the site; under `PORT=8821 make run` that is port 8821, not 8000."""
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8821"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert 'DJANGO_SITE_URL="${DJANGO_SITE_URL:-http://127.0.0.1:8821}"' in dry_run
    assert "gunicorn" in dry_run

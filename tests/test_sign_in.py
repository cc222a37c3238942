"""Sign-in that keeps secrets: nothing typed is stored, lockouts count real clients, passwords that repeat."""

import importlib
import logging
import os
import subprocess
import sys

import pytest
from axes.helpers import get_query_str
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.test import Client

from core.client import client_address
from inquiries import services

LOGIN = "/account/login/"
PASSWORD = "a long test password"


def attempt(client, username, password):
    return client.post(
        LOGIN, {"login_view-current_step": "auth", "auth-username": username, "auth-password": password}
    )


def every_stored_text():
    """Every row of every table, as text, sessions decoded."""
    for model in apps.get_models():
        for row in model.objects.values():
            yield model._meta.label, repr(row)
    for session in Session.objects.all():
        yield "session", repr(session.get_decoded())


# Nothing typed is kept ------------------------------------------------------------------------------


def test_no_password_typed_at_sign_in_is_kept_in_any_table_or_log(client, content_editor, caplog):
    caplog.set_level(logging.DEBUG)
    typed = [f"wrong password number {n}" for n in range(5)]
    for password in typed:
        attempt(client, "writer", password)
    assert attempt(client, "writer", PASSWORD).status_code == 429  # right, during the lockout
    typed.append("typed with the wrong case")
    attempt(client, "WRITER", typed[-1])
    other = Client()
    other.force_login(content_editor)
    typed.append("a wrong confirmation")
    other.post("/account/confirm-password/", {"password": typed[-1]})
    assert AccessAttempt.objects.count() >= 2  # the failures were recorded: the scan below means something
    for secret in [*typed, PASSWORD]:
        for table, text in every_stored_text():
            assert secret not in text, f"{secret!r} is stored in {table}"
        assert secret not in caplog.text
        assert not any(secret in str(record.args) for record in caplog.records)


def test_lockout_records_keep_no_form_data(client, content_editor):
    attempt(client, "writer", "wrong password")
    assert AccessAttempt.objects.get(username="writer").post_data == ""


def test_axes_masks_the_two_step_logins_password_field():
    assert "hunter2 but longer" not in get_query_str(QueryDict("auth-password=hunter2+but+longer"))


def test_form_data_stored_before_is_blanked_by_a_migration(db):
    AccessAttempt.objects.bulk_create(  # bulk_create: as rows stored before accounts.lockout existed
        [
            AccessAttempt(
                username="writer",
                ip_address="192.0.2.1",
                user_agent="test",
                get_data="next=/admin/",
                post_data="auth-username=writer\nauth-password=hunter2 but longer",
                failures_since_start=1,
            )
        ]
    )
    migration = importlib.import_module("accounts.migrations.0001_blank_axes_form_data")
    migration.blank_form_data(apps, None)
    stored = AccessAttempt.objects.get(username="writer")
    assert (stored.get_data, stored.post_data) == ("", "")


# The client behind a proxy ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.1"),  # no trusted proxy: the header is the client's own say
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "203.0.113.66, 198.51.100.1", "198.51.100.1"),  # what the client prepends is ignored
        (2, "198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.1"),  # too short for two proxies
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_nth_forwarded_address_from_the_right(rf, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_behind_a_proxy_one_clients_wrong_passwords_do_not_lock_out_another(settings, content_editor):
    settings.TRUSTED_PROXY_COUNT = 1
    a = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    b = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    for _ in range(5):
        attempt(a, "writer", "wrong password")
    assert attempt(a, "writer", PASSWORD).status_code == 429
    spoofing = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1")
    assert attempt(spoofing, "writer", PASSWORD).status_code == 429  # still client A
    assert attempt(b, "writer", PASSWORD).status_code == 302
    assert b.session["_auth_user_id"] == str(content_editor.pk)


def test_the_contact_forms_rate_limit_counts_the_forwarded_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    a = rf.post("/contact/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    b = rf.post("/contact/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert services.client_key(a) != services.client_key(b)
    settings.TRUSTED_PROXY_COUNT = 0
    assert services.client_key(a) == services.client_key(b)


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "0"), ({"DJANGO_BEHIND_PROXY": "1"}, "1"), ({"DJANGO_TRUSTED_PROXY_COUNT": "2"}, "2")],
)
def test_the_trusted_proxy_count_comes_from_the_environment(env, expected, tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(
        DJANGO_SETTINGS_MODULE="clinic_site.settings",
        DJANGO_DATA_DIR=str(tmp_path),
        DJANGO_DEBUG="1",
        **env,
    )
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == expected, result.stderr


# Passwords that repeat --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaaaaaa", "abababababababab", "abcdabcdabcdabcd", "passwordpassword", "Spring24Spring24"],
)
def test_passwords_of_one_repeated_character_or_piece_are_refused(password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert any(error.code == "password_too_repetitive" for error in refused.value.error_list)


def test_a_long_varied_password_passes_the_repetition_rule():
    validate_password("calm river under seven maples")

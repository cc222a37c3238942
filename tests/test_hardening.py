"""Hardening: a data folder closed to other users, and request bodies in a character set the site cannot read.

The data folder is checked as the site really starts, in subprocesses from a fresh folder; the character
set through the test client and through gunicorn (tests/sitectl.py), where a bare 500 would show.
"""

import os
import re
import secrets
import sqlite3
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from sitectl import Site


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def start_site(data, *args):
    """Run manage.py as `make run` and production do, with the usual 022 umask, on the data folder `data`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_DATA_DIR=str(data),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="clinic.example",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        umask=0o022,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The site under gunicorn, as `make run` serves it, with one worker."""
    site = Site.prepare(tmp_path_factory.mktemp("site"), WEB_CONCURRENCY=1)
    site.start()
    yield site
    site.stop()


# The data folder: the SQLite file holds names, phone numbers and two-factor secrets.


def test_a_fresh_data_folder_and_database_are_closed_to_other_users(tmp_path):
    data = tmp_path / "var"
    start_site(data, "migrate", "--noinput")
    assert mode(data) == 0o700
    assert mode(data / "db.sqlite3") == 0o600
    # While the site has the database open, SQLite's write-ahead log and shared memory exist beside it.
    code = (
        "from django.db import connection; import os, stat\n"
        "connection.cursor().execute('SELECT count(*) FROM django_migrations')\n"
        "print(*(oct(stat.S_IMODE(os.stat(f'{connection.settings_dict[\"NAME\"]}{s}').st_mode))"
        " for s in ('-wal', '-shm')))"
    )
    assert start_site(data, "shell", "--verbosity", "0", "-c", code).split() == ["0o600", "0o600"]


def test_a_data_folder_left_open_is_closed_when_the_site_starts(tmp_path):
    """An older install made the folder 0755 and the files 0644; another process still has them open."""
    data = tmp_path / "var"
    start_site(data, "migrate", "--noinput")
    database = data / "db.sqlite3"
    with sqlite3.connect(database) as other_process:
        other_process.execute("SELECT count(*) FROM django_migrations").fetchone()
        files = [database, data / "db.sqlite3-wal", data / "db.sqlite3-shm"]
        for path in files:
            path.chmod(0o644)
        data.chmod(0o755)

        start_site(data, "migrate", "--noinput")

        assert mode(data) == 0o700
        assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}


def test_gunicorn_workers_write_files_for_their_own_user_only(served):
    for worker in served.workers():
        status = Path(f"/proc/{worker}/status").read_text()
        assert re.search(r"^Umask:\s+0077$", status, re.MULTILINE), status
    assert mode(served.data) == 0o700 and mode(served.data / "db.sqlite3") == 0o600


# Request bodies: browsers send forms in UTF-8, and a body declared in any other charset gets the 400 page.
# Real ones, an alias Django itself refuses for form posts, a bogus name, and two that crashed Django.
UNREADABLE = ["utf-16", "latin-1", "utf8", "nope", "rot13", "idna"]
BOUNDARY = "clinicboundary"


def body(kind, token):
    """A form post carrying a valid CSRF token, so the CSRF check reads the body as in a real browser."""
    if kind == "urlencoded":
        return "application/x-www-form-urlencoded", f"csrfmiddlewaretoken={token}&name=Jamie%FF".encode()
    parts = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (("csrfmiddlewaretoken", token), ("name", "Jamie"))
    )
    return f"multipart/form-data; boundary={BOUNDARY}", f"{parts}--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
@pytest.mark.parametrize("charset", UNREADABLE)
@pytest.mark.parametrize("url", ["/contact/", "/account/login/"])
def test_a_body_in_a_charset_the_site_cannot_read_gets_the_400_page(authored, url, charset, kind):
    client = Client(enforce_csrf_checks=True)
    client.get(url)
    content_type, data = body(kind, client.cookies["csrftoken"].value)
    response = client.generic("POST", url, data, content_type=f"{content_type}; charset={charset}")
    assert response.status_code == 400
    assert [template.name for template in response.templates][0] == "400.html"
    assert "We could not read that request" in response.content.decode()
    assert "default-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8"])
@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
def test_a_body_in_utf_8_is_read(authored, charset, kind):
    client = Client(enforce_csrf_checks=True)
    client.get("/contact/")
    content_type, data = body(kind, client.cookies["csrftoken"].value)
    response = client.generic("POST", "/contact/", data, content_type=f"{content_type}; charset={charset}")
    assert response.status_code == 200 and "<h1>Contact us</h1>" in response.content.decode()


def post_to_gunicorn(site, charset, kind):
    # Every response is closed: gunicorn's worker waits up to 2 s for the client to close its connection.
    with urllib.request.urlopen(site.url + "/contact/", timeout=10) as form:  # noqa: S310 -- our own server
        token = re.search(r"csrftoken=([^;]+)", form.headers["Set-Cookie"]).group(1)
    content_type, data = body(kind, token)
    request = urllib.request.Request(  # noqa: S310 -- our own local server
        site.url + "/contact/",
        data=data,
        headers={"Content-Type": f"{content_type}; charset={charset}", "Cookie": f"csrftoken={token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.status, error.read().decode()


@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
@pytest.mark.parametrize("charset", UNREADABLE)
def test_under_gunicorn_too_an_unreadable_charset_gets_the_400_page(served, charset, kind):
    status, page = post_to_gunicorn(served, charset, kind)
    assert status == 400
    assert "<h1>We could not read that request</h1>" in page and "988" in page  # the site's design


@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
def test_under_gunicorn_a_utf_8_body_is_read(served, kind):
    status, page = post_to_gunicorn(served, "utf-8", kind)
    assert status == 200 and "<h1>Contact us</h1>" in page

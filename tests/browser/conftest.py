"""Browser tests run against a real server: gunicorn + WhiteNoise, DEBUG off, its own SQLite file.

The server is started once per test session exactly as `make run` starts it, in a temporary data
folder, with a few staff accounts. Chromium is the system's (Debian's `chromium`, or CHROMIUM_PATH).
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_support import BASE, CHROMIUM_ARGS, USERS, chromium_path, sign_in
from cryptography.fernet import Fernet


@dataclass
class Site:
    url: str
    env: dict

    def python(self, code):
        """Run Django code against the server's database; returns what it prints."""
        result = subprocess.run(
            [sys.executable, "-c", "import django\ndjango.setup()\n" + code],
            cwd=BASE,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("site")
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "INQUIRY_", "EMAIL_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="clinic_site.settings",
        DJANGO_DATA_DIR=str(data),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOCAL_HTTP="1",
        DJANGO_SERVE_MEDIA="1",
        DJANGO_SITE_URL=f"http://127.0.0.1:{port}",
        INQUIRY_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        INQUIRY_RATE_LIMIT="1000",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(data / "mail"),
        PORT=str(port),
        WEB_CONCURRENCY="2",
    )
    site = Site(f"http://127.0.0.1:{port}", env)
    site.manage("migrate", "--verbosity", "0")
    site.manage("load_content", "--verbosity", "0")
    site.manage("collectstatic", "--noinput", "--verbosity", "0")
    site.python(USERS)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            "clinic_site/gunicorn.conf.py",
            "clinic_site.wsgi",
        ],
        cwd=BASE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(site.url + "/", timeout=2)  # noqa: S310 -- our own local server
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the site did not start")
        yield site
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Browser tests need Chromium: `apt-get install chromium`, or set CHROMIUM_PATH (README)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, site, **options):
    context = browser.new_context(base_url=site.url, **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def phone(browser, site):
    context, page = _page(
        browser, site, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield page
    context.close()


@pytest.fixture
def desktop(browser, site):
    context, page = _page(browser, site, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


@pytest.fixture
def new_desktop(browser, site):
    """More desktop pages, each with its own cookies (another person at another computer)."""
    contexts = []

    def make():
        context, page = _page(browser, site, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def admin_state(browser, site, tmp_path_factory):
    """A signed-in administrator (with the two-factor code), saved once: codes cannot be used twice."""
    context, page = _page(browser, site, viewport={"width": 1280, "height": 900})
    sign_in(page, "admin", with_code=True)
    path = tmp_path_factory.mktemp("admin") / "state.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.fixture
def admin_page(browser, site, admin_state):
    context, page = _page(browser, site, viewport={"width": 1280, "height": 900}, storage_state=admin_state)
    yield page
    context.close()

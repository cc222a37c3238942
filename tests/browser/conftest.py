"""Browser tests run against a real server: gunicorn + WhiteNoise, DEBUG off, its own SQLite file.

The server is started once per test session exactly as `make run` starts it, in a temporary data
folder, with a few staff accounts. Chromium is the system's (Debian's `chromium`, or CHROMIUM_PATH).
"""

import os

import pytest
from browser_support import CHROMIUM_ARGS, USERS, chromium_path, sign_in
from sitectl import Site


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    site = Site.prepare(
        tmp_path_factory.mktemp("site"),
        INQUIRY_RATE_LIMIT=1000,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=tmp_path_factory.mktemp("mail"),
        WEB_CONCURRENCY=2,
    )
    site.python(USERS)
    site.start()
    yield site
    site.stop()


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

"""Browser tests run against a real server: gunicorn + WhiteNoise, DEBUG off, its own SQLite file.

The server is started once per test session exactly as `make run` starts it, in a temporary data
folder, with a few staff accounts. Chromium is the system's (Debian's `chromium`, or CHROMIUM_PATH).
"""

import json
from pathlib import Path

import pytest
from browser_support import CHROMIUM_ARGS, USERS, chromium_path, in_ci, sign_in
from sitectl import Site


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks
def pytest_collection_modifyitems(items):
    """With pytest-xdist (`make test`), every browser test goes to one worker: one site and one Chromium
    are started, not one per worker, and the other worker runs the rest of the suite meanwhile."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


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
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _page(browser, site, **options):
    context = browser.new_context(base_url=site.url, **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def phone(browser, site):
    context, page = _page(browser, site, **PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop(browser, site):
    context, page = _page(browser, site, **DESKTOP)
    yield page
    context.close()


# Pages that only read (the axe scan of each public page or admin screen) share one tab per kind of
# device, with no cookies left from the test before: to the site that is a new visitor, as a new context
# would be. A new context costs Chromium a new renderer process that then compiles axe-core's 570 kB again,
# about twice the time of the scan itself.
@pytest.fixture(scope="session")
def _phone_tab(browser, site):
    context, page = _page(browser, site, **PHONE)
    yield page
    context.close()


@pytest.fixture(scope="session")
def _desktop_tab(browser, site):
    context, page = _page(browser, site, **DESKTOP)
    yield page
    context.close()


@pytest.fixture
def reading_phone(_phone_tab):
    """A phone that only reads pages: a new visitor each time, with no cookies."""
    _phone_tab.context.clear_cookies()
    return _phone_tab


@pytest.fixture
def reading_desktop(_desktop_tab):
    """A desktop that only reads pages: a new visitor each time, with no cookies."""
    _desktop_tab.context.clear_cookies()
    return _desktop_tab


@pytest.fixture
def new_desktop(browser, site):
    """More desktop pages, each with its own cookies (another person at another computer)."""
    contexts = []

    def make():
        context, page = _page(browser, site, **DESKTOP)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def admin_state(browser, site, tmp_path_factory):
    """A signed-in administrator (with the two-factor code), saved once: codes cannot be used twice."""
    context, page = _page(browser, site, **DESKTOP)
    sign_in(page, "admin", with_code=True)
    path = tmp_path_factory.mktemp("admin") / "state.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.fixture(scope="session")
def _admin_tab(browser, site, admin_state):
    context, page = _page(browser, site, **DESKTOP, storage_state=admin_state)
    yield page
    context.close()


@pytest.fixture
def admin_page(_admin_tab, admin_state):
    """The signed-in administrator's tab, for screens it only reads; its cookies as just after sign-in."""
    _admin_tab.context.clear_cookies()
    _admin_tab.context.add_cookies(json.loads(Path(admin_state).read_text())["cookies"])
    return _admin_tab

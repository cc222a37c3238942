"""Security headers in production mode, asserted on every kind of page the site serves."""

import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import time_machine

from content.models import Page
from inquiries import views

PAGES = {
    "home": "/",
    "topic list": "/learn/",
    "content page": "/learn/faq/",
    "condition list": "/conditions/",
    "condition page": "/conditions/ptsd/",
    "contact form": "/contact/",
    "thank-you page": "/contact/thanks/",
    "not found": "/no-such-page/",
    "staff sign-in": "/account/login/",
    "admin": "/admin/",
    "sitemap": "/sitemap.xml",
    "robots.txt": "/robots.txt",
    "stylesheet": "/static/css/site.css",
}


@pytest.fixture
def production(settings):
    """HTTPS protections on, exactly as settings.py turns them on without DJANGO_LOCAL_HTTP."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.WHITENOISE_USE_FINDERS = (
        True  # serve the stylesheet from the source folder, as after collectstatic
    )
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**directives, "upgrade-insecure-requests": True}}


def csp(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_every_page_kind_sends_the_security_headers(client, authored, admin_user, production, url):
    client.force_login(admin_user)
    response = client.get(url, secure=True)
    assert response.status_code in (200, 404)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert (
        "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    )
    if "text/html" in response["Content-Type"]:
        assert response["X-Frame-Options"] == "DENY"
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]


# Nothing is allowed unless the page needs it. Public pages and forms load their stylesheet and images
# (the favicon, uploaded pictures, the two-factor QR code) from the site and post forms to it.
PUBLIC_POLICY = {
    "default-src": ["'none'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "upgrade-insecure-requests": [],
}
# The admin also runs its scripts, and markdownx's preview and the live checks fetch from the site.
ADMIN_POLICY = {**PUBLIC_POLICY, "script-src": ["'self'"], "connect-src": ["'self'"]}
SCRIPTS_POLICY = {**PUBLIC_POLICY, "script-src": ["'self'"]}  # two-factor pages: a print button

POLICIES = {
    "public page": ("/learn/faq/", PUBLIC_POLICY),
    "home": ("/", PUBLIC_POLICY),
    "not found": ("/no-such-page/", PUBLIC_POLICY),
    "contact form": ("/contact/", PUBLIC_POLICY),
    "staff sign-in form": ("/account/login/", PUBLIC_POLICY),
    "admin home": ("/admin/", ADMIN_POLICY),
    "admin editor": ("/admin/content/page/{faq}/change/", ADMIN_POLICY),
    "admin history": ("/admin/content/page/{faq}/history/", ADMIN_POLICY),
    "two-factor set up": ("/account/two_factor/setup/complete/", SCRIPTS_POLICY),
    "backup codes": ("/account/two_factor/backup/tokens/", SCRIPTS_POLICY),
}


@pytest.mark.parametrize(("url", "expected"), POLICIES.values(), ids=POLICIES.keys())
def test_each_page_kind_gets_only_the_policy_it_needs(
    client, authored, admin_user, production, url, expected
):
    client.force_login(admin_user)
    response = client.get(url.format(faq=Page.objects.get(slug="faq").pk), secure=True)
    assert response.status_code in (200, 404)
    assert csp(response) == expected


class Loads(HTMLParser):
    """What a page asks the browser to load or run, by the CSP directive that governs it."""

    def __init__(self):
        super().__init__()
        self.loads, self.inline = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").split()
        if "style" in attrs:
            self.inline.append(f"style attribute on <{tag}>")
        if any(name.startswith("on") for name in attrs):
            self.inline.append(f"event handler on <{tag}>")
        if tag == "script" and attrs.get("src"):
            self.loads.append(("script-src", attrs["src"]))
        elif tag == "script" and attrs.get("type") != "application/ld+json":
            self.inline.append("inline <script>")
        elif tag == "style":
            self.inline.append("inline <style>")
        elif tag == "link" and "stylesheet" in rel:
            self.loads.append(("style-src", attrs["href"]))
        elif tag == "link" and "icon" in rel:
            self.loads.append(("img-src", attrs["href"]))
        elif tag in ("img", "source") and attrs.get("src"):
            self.loads.append(("img-src", attrs["src"]))
        elif tag in ("iframe", "frame", "object", "embed"):
            self.inline.append(f"<{tag}>")
        elif tag == "form":
            self.loads.append(("form-action", attrs.get("action") or ""))


# django-simple-history's paginator carries style="border-top: 0"; the browser drops that one rule.
KNOWN_HARMLESS_BLOCKS = {"/admin/content/page/{faq}/history/": ["style attribute on <p>"]}


@pytest.mark.parametrize("url", [url for url, _ in POLICIES.values()], ids=POLICIES.keys())
def test_the_policy_blocks_nothing_the_page_uses(client, authored, admin_user, production, url):
    """Each page only loads from the site what its policy lets it, and has nothing inline to block."""
    client.force_login(admin_user)
    response = client.get(url.format(faq=Page.objects.get(slug="faq").pk), secure=True)
    policy = csp(response)
    page = Loads()
    page.feed(response.content.decode())
    assert page.inline == KNOWN_HARMLESS_BLOCKS.get(url, [])
    assert page.loads, "every page loads at least its stylesheet"
    for directive, address in page.loads:
        assert not urlsplit(address).netloc, f"{address} is on another host"
        allowed = policy.get(directive, policy["default-src"] if directive.endswith("-src") else [])
        assert "'self'" in allowed, f"{directive} blocks {address}"


def test_plain_http_is_redirected_to_https(client, authored, production):
    response = client.get("/learn/faq/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/learn/faq/"


def test_cookies_are_secure_http_only_and_same_site(client, authored, production):
    form = client.get("/contact/", secure=True)
    with time_machine.travel(time.time() - 60, tick=False):
        token = views._new_token()
    data = {
        "name": "Jamie",
        "phone": "212-555-0123",
        "preferred_contact": "phone",
        "preferred_time": "any",
        "service": "not-sure",
        "consent": "on",
        "token": token,
    }
    thanks = client.post("/contact/", data, secure=True)
    assert thanks.status_code == 302
    for cookie in (form.cookies["csrftoken"], thanks.cookies["sessionid"]):
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax", cookie.key


def test_a_page_with_an_inline_script_would_be_blocked(client, authored, production):
    """The policy is not decorative: the JSON-LD block is data, and no page carries runnable inline code."""
    page = Page.objects.get(slug="faq")
    body = client.get(page.get_absolute_url(), secure=True).content.decode()
    scripts = [chunk.split(">", 1)[0] for chunk in body.split("<script")[1:]]
    assert scripts == [' type="application/ld+json"']

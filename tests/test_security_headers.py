"""Security headers in production mode, asserted on every kind of page the site serves."""

import time

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
        policy = csp(response)
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
        assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["base-uri"] == ["'none'"]


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

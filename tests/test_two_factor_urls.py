"""Every URL in the project: whatever answers staff only refuses a staff member who has not verified.

The URL patterns are walked from django.urls.get_resolver() (includes too) and filled with real values:
a real page slug, a real row's primary key, its history record. A URL is public only if its name is
in PUBLIC, or the way in if in SIGN_IN; every other URL, including any added later, must refuse a
signed-in superuser whose session skipped the two-factor code (sent to set up or sign in, 403 or 404,
never the page) and let the same superuser in once verified. A public document page is also tried with
an unpublished document: that is the staff draft preview, so it is staff-only.
"""

import re
from dataclasses import dataclass

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from content.models import ClinicalReviewer, Page
from inquiries import services
from inquiries.models import AccessLogEntry, Inquiry

# Anyone may open these.
PUBLIC = {
    "core:home",
    "core:sitemap",
    "core:robots_txt",
    "core:favicon",
    "core:media",
    "content:page_list",
    "content:page_detail",
    "conditions:condition_list",
    "conditions:condition_detail",
    "inquiries:contact",
    "inquiries:thanks",
    "two_factor:login",
    "admin_login",  # a redirect to two_factor:login
    "admin:login",  # the same (shadowed by admin_login)
}
# The way in: a signed-in staff member who has not verified yet must reach these.
SIGN_IN = {
    "two_factor:setup",
    "two_factor:qr",
    "accounts:confirm_password",
    "admin:logout",
}
# Unnamed regex groups, in order (django-simple-history's history form: object, then history record).
POSITIONAL = ("object_id", "history_id")
SIGN_IN_PAGES = ("/account/login/", "/account/two_factor/setup/")


@dataclass(frozen=True)
class Endpoint:
    name: str  # namespace:name, or "" when the pattern has none
    template: str  # the path with {parameter} where values go
    groups: tuple  # (parameter, the regex it must match) for regex patterns
    callback: object

    def __str__(self):
        return self.template or "/"


def _template(pattern):
    """The pattern as text with {name} for each parameter, and the regexes of regex groups."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern)), ()
    regex = str(pattern).removeprefix("^").removesuffix("$")
    text, groups, position, index = [], [], 0, 0
    while index < len(regex):
        if regex[index] != "(":
            text.append(regex[index])
            index += 1
            continue
        depth, end = 1, index + 1
        while depth:
            depth += {"(": 1, ")": -1}.get(regex[end], 0)
            end += 1
        body = regex[index + 1 : end - 1]
        named = re.match(r"\?P<(\w+)>", body)
        if named:
            name, body = named.group(1), body[named.end() :]
        else:
            name, position = POSITIONAL[position], position + 1
        groups.append((name, body))
        text.append(f"{{{name}}}")
        index = end
    return "".join(text), tuple(groups)


def _walk(patterns, prefix="", groups=(), namespaces=()):
    for pattern in patterns:
        template, found = _template(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _walk(pattern.url_patterns, prefix + template, groups + found, inner)
        else:
            name = ":".join((*namespaces, pattern.name)) if pattern.name else ""
            yield Endpoint(name, prefix + template, groups + found, pattern.callback)


ENDPOINTS = list(_walk(get_resolver().url_patterns))


def _model(endpoint):
    """The model a URL is about: a detail view's, or the admin's /admin/<app>/<model>/..."""
    view_model = getattr(getattr(endpoint.callback, "view_class", None), "model", None)
    if view_model is not None:
        return view_model
    parts = endpoint.template.split("/")
    if parts[0] == "admin" and len(parts) > 2:
        for model in admin.site._registry:
            if (model._meta.app_label, model._meta.model_name) == (parts[1], parts[2]):
                return model
    return None


def _is_document(endpoint):
    model = _model(endpoint)
    return "{slug}" in endpoint.template and model is not None and hasattr(model, "published")


CASES = [
    (endpoint, draft)
    for endpoint in ENDPOINTS
    if endpoint.name not in SIGN_IN
    for draft in ((False, True) if _is_document(endpoint) else (False,))
    if draft or endpoint.name not in PUBLIC
]


def _values(name, endpoint, draft, page):
    model = _model(endpoint)
    if name == "slug":
        document = model.objects.filter(published=not draft).first()
        assert document is not None, f"no {'unpublished' if draft else 'published'} {model._meta.label}"
        return [document.slug]
    if name == "content_type_id":
        return [ContentType.objects.get_for_model(Page).pk]
    if name in ("object_id", "pk", "id"):
        row = model.objects.first() if model else page
        assert row is not None, f"add a sample {model._meta.label} to the `rows` fixture"
        return [row.pk]
    if name == "history_id":
        record = model.objects.first().history.first()
        assert record is not None, f"no history record of {model._meta.label}"
        return [record.history_id]
    if name == "app_label":
        return dict(endpoint.groups)["app_label"].split("|")
    if name == "url":
        return ["auth"]  # the admin's catch-all: an app index without its slash
    if name == "path":
        return ["uploads/nothing.png"]
    raise AssertionError(f"no sample value for <{name}> in {endpoint}: add one to _values")


def _urls(endpoint, draft, page):
    urls = ["/" + endpoint.template]
    for name in re.findall(r"{(\w+)}", endpoint.template):
        urls = [
            url.replace(f"{{{name}}}", str(value), 1)
            for url in urls
            for value in _values(name, endpoint, draft, page)
        ]
    return urls


def _open(client, url):
    response = client.get(url, follow=True)
    if response.status_code == 405:  # a POST-only endpoint: the editor's preview, check, upload
        response = client.post(url, {"content": "## Hi"}, follow=True)
    return response


def _sent_to_verify(response):
    return bool(response.redirect_chain) and response.request["PATH_INFO"] in SIGN_IN_PAGES


def _refused(response):
    return _sent_to_verify(response) or response.status_code in (403, 404)


@pytest.fixture
def rows(authored, admin_user, django_user_model):
    """A row of every model the admin shows, so each of its object URLs can be opened."""
    other = django_user_model.objects.create_user("someone", password="a long test password", is_staff=True)
    Inquiry.objects.create(
        kind=Inquiry.Kind.QUESTION,
        name="Jamie Rivera",
        phone="+12125550123",
        email="jamie@example.com",
        preferred_contact=Inquiry.ContactMethod.PHONE,
        message="What is the first visit like?",
        consent_at=timezone.now(),
        submission_token="walker",
        fingerprint="walker",
    )
    services.access_log_record(user=admin_user, action=AccessLogEntry.Action.LIST)
    ClinicalReviewer.objects.create(user=other, credentials="MD")
    TOTPDevice.objects.create(user=other, name="default")
    StaticDevice.objects.create(user=other, name="backup")
    client_fields = {"user_agent": "test", "ip_address": "192.0.2.1", "username": "someone"}
    AccessAttempt.objects.create(**client_fields, failures_since_start=1)
    AccessLog.objects.create(**client_fields)
    AccessFailureLog.objects.create(**client_fields)
    for model in ("content.Page", "conditions.Condition"):  # a draft of each kind of document
        first = apps.get_model(model).objects.filter(published=True).order_by("pk").first()
        apps.get_model(model).objects.filter(pk=first.pk).update(published=False)
    missing = [model._meta.label for model in admin.site._registry if not model.objects.exists()]
    assert not missing, f"add a sample row of {missing} to the `rows` fixture"
    return Page.objects.filter(published=True).first()


@pytest.mark.parametrize(
    ("endpoint", "draft"), CASES, ids=[f"{e}{' (draft)' if d else ''}" for e, d in CASES]
)
def test_a_staff_only_url_refuses_unverified_staff_and_admits_verified(
    client, admin_user, rows, endpoint, draft
):
    for url in _urls(endpoint, draft, rows):
        if endpoint.name != "admin:login":  # shadowed by admin_login, which answers the same path
            assert resolve(url.split("?")[0]).func == endpoint.callback, f"{url} is not {endpoint}"
        client.force_login(admin_user, verified=False)
        unverified = _open(client, url)
        assert _refused(unverified), f"{url} answered {unverified.status_code} before two-factor sign-in"
        client.force_login(admin_user)
        verified = _open(client, url)
        assert not _sent_to_verify(verified) and verified.status_code < 500, url
        if verified.status_code in (403, 404):  # a refusal of the view's own (e.g. no add permission) ...
            assert _sent_to_verify(unverified), url  # ... comes after the two-factor check, never instead


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.name in SIGN_IN], ids=str)
def test_the_way_in_opens_for_staff_who_have_not_verified_yet(client, admin_user, rows, endpoint):
    client.force_login(admin_user, verified=False)
    client.get("/account/two_factor/setup/")  # the QR code exists only once the setup has begun
    client.post("/account/two_factor/setup/", {"setup_view-current_step": "welcome"})
    response = _open(client, _urls(endpoint, False, rows)[0])
    assert response.status_code == 200 and not response.redirect_chain, response.redirect_chain


def test_every_name_on_the_allowlists_exists():
    names = {endpoint.name for endpoint in ENDPOINTS}
    assert names >= PUBLIC | SIGN_IN, (PUBLIC | SIGN_IN) - names

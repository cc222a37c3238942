"""axe-core in a real browser: no WCAG 2.2 A or AA violation on any page a patient or staff member uses."""

from pathlib import Path

import pytest
from browser_support import BASE, PASSWORD, axe_violations
from playwright.sync_api import expect

PUBLIC = [
    "/",
    "/learn/",
    "/conditions/",
    "/contact/",
    "/contact/?kind=insurance",
    "/contact/thanks/",
    "/no-such-page/",
    "/account/login/",
    *[f"/learn/{p.stem}/" for p in sorted(Path(BASE, "content", "pages").glob("*.md"))],
    *[f"/conditions/{p.stem}/" for p in sorted(Path(BASE, "conditions", "pages").glob("*.md"))],
]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_on_a_phone(reading_phone, path):
    reading_phone.goto(path)
    assert axe_violations(reading_phone) == []


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_on_a_desktop(reading_desktop, path):
    reading_desktop.goto(path)
    assert axe_violations(reading_desktop) == []


@pytest.mark.parametrize("kind", ["question", "insurance"])
def test_the_form_in_its_error_state(phone, kind):
    phone.goto(f"/contact/?kind={kind}")
    phone.fill("#id_email", "not-an-email")
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator(".error-summary")).to_be_visible()  # waits for the page that came back
    assert axe_violations(phone) == []


def test_the_thank_you_page_after_a_message_that_sounds_like_a_crisis(phone):
    phone.goto("/contact/")
    phone.fill("#id_name", "Alex Crisis")
    phone.fill("#id_phone", "212-555-0101")
    phone.check("#id_preferred_contact_0")
    phone.fill("#id_message", "I have been thinking about suicide.")
    phone.check("#id_consent")
    phone.wait_for_timeout(3200)
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator(".urgent-help")).to_be_visible()
    assert axe_violations(phone) == []


@pytest.fixture(scope="module")
def admin_urls(site):
    """The admin screens' addresses, with real ids: looked up (and an inquiry made) once for the module."""
    page, condition, inquiry, history = site.python(
        "from django.utils import timezone\n"
        "from conditions.models import Condition\n"
        "from content.models import Page\n"
        "from inquiries.models import Inquiry\n"
        "page = Page.objects.order_by('pk').first().pk\n"
        "condition = Condition.objects.order_by('pk').first().pk\n"
        "i, _ = Inquiry.objects.get_or_create(submission_token='axe', defaults=dict(kind='insurance', name='Axe Check',"
        " phone='+12125550100', preferred_contact='phone', consent_at=timezone.now(), fingerprint='axe',"
        " member_id='AX1', message='A question.'))\n"
        "print(page, condition, i.pk, Page.history.filter(id=page).first().history_id)"
    ).split()
    return {
        "home": "/admin/",
        "pages": "/admin/content/page/",
        "page": f"/admin/content/page/{page}/change/",
        "page history": f"/admin/content/page/{page}/history/",
        "what changed": f"/admin/content/page/{page}/history/{history}/compare/",
        "review and publish": f"/admin/content/page/{page}/review/",
        "condition review": f"/admin/conditions/condition/{condition}/review/",
        "conditions": "/admin/conditions/condition/",
        "condition": f"/admin/conditions/condition/{condition}/change/",
        "clinic profile": "/admin/content/clinicprofile/1/change/",
        "inquiries": "/admin/inquiries/inquiry/",
        "inquiry": f"/admin/inquiries/inquiry/{inquiry}/change/",
        "access log": "/admin/inquiries/accesslogentry/",
    }


@pytest.mark.parametrize(
    "screen",
    [
        "home",
        "pages",
        "page",
        "page history",
        "what changed",
        "review and publish",
        "condition review",
        "conditions",
        "condition",
        "clinic profile",
        "inquiries",
        "inquiry",
        "access log",
    ],
)
def test_the_main_admin_screens(admin_page, admin_urls, screen):
    admin_page.goto(admin_urls[screen])
    expect(admin_page.locator("#content")).to_be_visible()
    assert axe_violations(admin_page) == []


def test_two_factor_setup_and_password_confirmation(browser, site):
    """A new staff member's first sign-in: the setup page they are sent to, and the password check that
    guards turning two-factor off (a stand-in for every page built on the same focused layout)."""
    site.python(
        "from django.contrib.auth.models import User\n"
        f"User.objects.filter(username='newstaff').exists() or User.objects.create_user('newstaff', password={PASSWORD!r}, is_staff=True)"
    )
    context = browser.new_context(base_url=site.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto("/account/login/")
        page.fill("#id_auth-username", "newstaff")
        page.fill("#id_auth-password", PASSWORD)
        page.get_by_role("button", name="Next").click()
        page.wait_for_url("**/account/two_factor/setup/**")
        assert axe_violations(page) == []
        page.goto("/account/confirm-password/?next=/account/two_factor/setup/")
        expect(page.locator("#id_password")).to_be_visible()
        assert axe_violations(page) == []
    finally:
        context.close()

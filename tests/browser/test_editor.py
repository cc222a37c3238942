"""The Markdown editor on a document's change page: a layout that fits the screen, the toolbar, the check
that follows typing, image uploads, and text kept in the browser when a session ends before a save."""

import io
import itertools
import re
import secrets
import time
from binascii import unhexlify

import pytest
from browser_support import PASSWORD, axe_violations
from playwright.sync_api import expect

EDITOR = "returning-editor"
EDITOR_KEY = secrets.token_hex(20)
BODY = "## Before your visit\n\nEat a light meal. Bring a friend to drive you home."
_numbers = itertools.count(1)


def code(*, next_one=False):
    """The editor's authenticator code; the next one for a second sign-in within the same 30 seconds
    (a used code is refused, and the next is accepted as clock drift)."""
    from django_otp.oath import TOTP

    totp = TOTP(unhexlify(EDITOR_KEY))
    totp.time = time.time() + (30 if next_one else 0)
    return f"{totp.token():06d}"


def sign_in_again(page, *, next_code):
    """The two-factor login form, as the editor fills it in (wherever the site sent them to it)."""
    page.fill("#id_auth-username", EDITOR)
    page.fill("#id_auth-password", PASSWORD)
    page.get_by_role("button", name="Next").click()
    page.fill("#id_token-otp_token", code(next_one=next_code))
    page.get_by_role("button", name="Next").click()


@pytest.fixture(scope="module")
def editor_account(site):
    """A staff member of this module's own: signing in twice needs authenticator codes no one else used."""
    site.python(
        "from django.contrib.auth.models import User\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        f"user = User.objects.create_superuser({EDITOR!r}, password={PASSWORD!r})\n"
        f"TOTPDevice.objects.create(user=user, name='default', key={EDITOR_KEY!r}, confirmed=True)"
    )
    return EDITOR


@pytest.fixture
def document(site):
    """A draft page of each test's own, so what one test types or saves never meets another's."""
    number = next(_numbers)
    pk = site.python(
        "from content.models import Page\n"
        f"print(Page.objects.create(title='Editor test {number}', slug='editor-test-{number}', "
        f"summary='A page for the editor tests.', body={BODY!r}).pk)"
    )
    return f"/admin/content/page/{pk}/change/"


def open_editor(browser, site, admin_state, **options):
    context = browser.new_context(base_url=site.url, storage_state=admin_state, **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def desktop_editor(browser, site, admin_state):
    context, page = open_editor(browser, site, admin_state, viewport={"width": 1280, "height": 800})
    yield page
    context.close()


@pytest.fixture
def phone_editor(browser, site, admin_state):
    context, page = open_editor(
        browser, site, admin_state, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield page
    context.close()


def type_at_end(page, text):
    page.locator("#id_body").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def test_on_a_desktop_text_and_preview_sit_side_by_side_above_the_save_button(desktop_editor, document):
    page = desktop_editor
    errors = []  # a script error, or anything the Content-Security-Policy refused
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(f"{message.text} {message.location}"),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(document)
    save = page.locator("input[name=_continue]")
    expect(page.locator(".field-body .markdownx-preview")).to_contain_text("Before your visit")
    box = save.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 800, box  # reachable without scrolling

    text = page.locator("#id_body").bounding_box()
    preview = page.locator(".field-body .markdownx-preview").bounding_box()
    assert preview["x"] >= text["x"] + text["width"] - 1  # the preview is to the right ...
    assert abs(preview["y"] - text["y"]) < 5  # ... on the same line
    assert 300 <= text["height"] <= 800 and 300 <= preview["height"] <= 800  # each fits the window
    expect(page.locator(".field-body .preview-toggle")).to_be_hidden()  # no need of it here
    page.get_by_text("Markdown help").click()
    assert errors == []
    assert axe_violations(page) == []


def test_on_a_phone_the_preview_waits_behind_a_button(phone_editor, document):
    page = phone_editor
    page.goto(document)
    preview = page.locator(".field-body .markdownx-preview")
    toggle = page.locator(".field-body").get_by_role("button", name="Show preview")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(preview).to_be_hidden()
    assert toggle.get_attribute("aria-controls") == preview.get_attribute("id")
    text = page.locator("#id_body").bounding_box()
    field = page.locator(".field-body").bounding_box()
    assert text["width"] >= field["width"] - 40  # the text box has the whole width

    toggle.click()
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("Before your visit")
    expect(page.locator(".field-body").get_by_role("button", name="Hide preview")).to_have_attribute(
        "aria-expanded", "true"
    )
    assert axe_violations(page) == []


def test_the_check_follows_typing_without_saving(desktop_editor, document):
    page = desktop_editor
    page.goto(document)
    report = page.locator(".check-report")
    expect(report).not_to_contain_text("guaranteed")
    type_at_end(page, " Relief is guaranteed.")
    expect(report).to_contain_text("“guaranteed” is on the list of words we do not use", timeout=6000)


def test_the_toolbar_writes_markdown_at_the_cursor(desktop_editor, document):
    page = desktop_editor
    page.goto(document)
    body = page.locator("#id_body")
    type_at_end(page, "\n\nWhat to wear")
    page.get_by_role("button", name="Heading").click()
    expect(body).to_have_value(BODY + "\n\n## What to wear")
    expect(page.locator(".field-body .markdownx-preview h2")).to_have_count(2)  # the preview followed

    page.keyboard.press("Control+End")  # the focus is back in the text
    page.keyboard.type("\n\nLoose clothes")
    page.get_by_role("button", name="Bulleted list").click()
    expect(body).to_have_value(BODY + "\n\n## What to wear\n\n- Loose clothes")
    page.get_by_role("button", name="Link").click()  # nothing selected: a link to fill in
    page.keyboard.type("https://example.org/")  # the address part is selected, ready to type over
    expect(body).to_have_value(re.compile(re.escape("[words to click](https://example.org/)")))
    page.get_by_text("Markdown help").click()
    expect(page.locator(".markdown-help")).to_contain_text('!!! note "Title"')


def test_tab_leaves_the_text_and_reaches_the_toolbar(desktop_editor, document):
    page = desktop_editor
    page.goto(document)
    page.locator("#id_summary").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Heading")).to_be_focused()
    page.locator("#id_body").focus()
    page.keyboard.press("Tab")  # markdownx would indent the text instead, and keep the focus there
    expect(page.locator("#id_body")).not_to_be_focused()
    expect(page.locator("#id_body")).to_have_value(BODY)


def test_a_new_page_has_the_toolbar_too(desktop_editor):
    page = desktop_editor
    page.goto("/admin/content/page/add/")
    page.locator("#id_body").fill("First line")
    page.get_by_role("button", name="Heading").click()
    expect(page.locator("#id_body")).to_have_value("## First line")
    expect(page.locator(".field-body .markdownx-preview h2")).to_have_text("First line")
    assert axe_violations(page) == []
    assert page.evaluate("Object.keys(localStorage).filter(key => key.startsWith('unsaved'))") == []


def png():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (31, 90, 99)).save(out, format="PNG")
    return out.getvalue()


def test_an_uploaded_image_asks_for_a_description_until_it_has_one(desktop_editor, document):
    page = desktop_editor
    page.goto(document)
    body = page.locator("#id_body")
    report = page.locator(".check-report")
    type_at_end(page, "\n\n")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Image…").click()
    chooser.value.set_files(files=[{"name": "room.png", "mimeType": "image/png", "buffer": png()}])
    expect(body).to_have_value(re.compile(r"!\[Describe this image\]\(/media/uploads/\w+\.png\)"))
    expect(report).to_contain_text("An image has no description (alt text)", timeout=6000)
    expect(page.locator(".field-body .markdownx-preview img")).to_have_attribute("alt", "Describe this image")

    page.keyboard.type("A quiet treatment room with a reclining chair")  # the placeholder was selected
    expect(body).to_have_value(
        re.compile(r"!\[A quiet treatment room with a reclining chair\]\(/media/uploads/")
    )
    expect(report).not_to_contain_text("An image has no description", timeout=6000)


def test_an_image_dropped_on_the_text_is_checked_too(desktop_editor, document):
    """markdownx uploads a dropped picture itself; the check hears of it all the same."""
    page = desktop_editor
    page.goto(document)
    page.locator("#id_body").click()
    page.keyboard.press("Control+End")
    page.evaluate(
        """bytes => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], "room.png", {type: "image/png"}));
            document.getElementById("id_body").dispatchEvent(new DragEvent("drop", {dataTransfer: transfer}));
        }""",
        list(png()),
    )
    expect(page.locator("#id_body")).to_have_value(re.compile(r"!\[Describe this image\]\(/media/uploads/"))
    expect(page.locator(".check-report")).to_contain_text("An image has no description", timeout=6000)


def test_text_typed_when_the_session_ended_is_back_after_signing_in(browser, site, editor_account, document):
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/account/login/")
        sign_in_again(page, next_code=False)
        page.wait_for_url("**/admin/**")
        page.goto(document)
        typed = " Wear loose clothes. Written as the session ran out."
        type_at_end(page, typed)

        context.clear_cookies(name="sessionid")  # the session ends (30 idle minutes, or 12 hours)
        page.locator("input[name=_continue]").click()
        page.wait_for_url("**/account/login/**")
        sign_in_again(page, next_code=True)
        page.wait_for_url(f"**{document}")

        expect(page.locator("#id_body")).to_have_value(BODY + typed)
        notice = page.get_by_role("status").filter(has_text="We put back text you typed")
        expect(notice).to_contain_text("Save to keep it, or Discard it.")
        page.locator("input[name=_continue]").click()
        expect(page.locator(".messagelist")).to_contain_text("changed successfully")
        expect(page.locator("#id_body")).to_have_value(BODY + typed)
        expect(page.locator(".unsaved-copy")).to_be_empty()  # saved: the kept copy is gone quietly
        assert page.evaluate("Object.keys(localStorage).filter(key => key.startsWith('unsaved'))") == []
    finally:
        context.close()


def test_discarding_the_kept_text_brings_back_the_saved_text(desktop_editor, document):
    page = desktop_editor
    page.goto(document)
    page.locator("#id_title").fill("A title never saved")
    type_at_end(page, " Never saved.")
    page.reload()
    expect(page.locator("#id_title")).to_have_value("A title never saved")
    expect(page.locator("#id_body")).to_have_value(BODY + " Never saved.")
    expect(page.get_by_role("status").filter(has_text="We put back text")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Discard it").click()
    expect(page.locator("#id_body")).to_have_value(BODY)
    expect(page.locator("#id_title")).not_to_have_value("A title never saved")
    page.reload()
    expect(page.locator("#id_body")).to_have_value(BODY)
    expect(page.get_by_role("button", name="Discard it")).to_have_count(0)

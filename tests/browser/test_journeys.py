"""Real-browser journeys: a patient on a phone (by touch and by keyboard), a staff editor, the front desk."""

import time

from browser_support import sign_in
from playwright.sync_api import expect

MIN_SECONDS = 3.2  # the form refuses what is sent faster than a person could (INQUIRY_MIN_SECONDS)


def send_insurance_check(page, *, name, contact, member_id):
    """Fill in and send the insurance form as a person would, taking at least MIN_SECONDS."""
    page.goto("/contact/?kind=insurance")
    page.fill("#id_name", name)
    page.fill(*contact)
    page.check("#id_preferred_contact_0" if contact[0] == "#id_phone" else "#id_preferred_contact_2")
    page.fill("#id_insurance_carrier", "Example Health")
    page.fill("#id_member_id", member_id)
    page.fill("#id_patient_dob", "1980-05-06")
    page.check("#id_consent")
    page.wait_for_timeout(MIN_SECONDS * 1000)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("h1")).to_have_text("Thank you. We have your message.")


def count_inquiries(site, name):
    return int(
        site.python(
            f"from inquiries.models import Inquiry; print(Inquiry.objects.filter(name={name!r}).count())"
        )
    )


def test_a_patient_on_a_phone_reads_and_sends_the_form(phone, site):
    page = phone
    page.goto("/")
    expect(page.locator(".crisis")).to_contain_text("call or text 988")
    page.locator('main a[href="/conditions/treatment-resistant-depression/"]').first.click()
    expect(page.locator("h1")).to_have_text("Treatment-resistant depression")
    page.locator('main .prose a[href="/learn/who-can-have-ketamine/"]').first.click()
    expect(page.locator("h1")).to_contain_text("Who can have ketamine")
    page.locator('.next-step a[href="/contact/"]').click()
    expect(page.locator("h1")).to_have_text("Contact us")
    shown_at = time.monotonic()

    page.fill("#id_name", "Robin Phone")
    page.fill("#id_phone", "(212) 555-0142")
    page.fill("#id_email", "robin@")  # the mistake
    page.check("#id_preferred_contact_2")  # email
    page.fill("#id_message", "Is the nasal spray covered by insurance?")
    page.check("#id_consent")
    page.wait_for_timeout(max(0, MIN_SECONDS - (time.monotonic() - shown_at)) * 1000)
    page.get_by_role("button", name="Send").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter an email address like name@example.com.")
    expect(page.locator("#id_name")).to_have_value("Robin Phone")  # nothing typed is lost
    expect(page.locator("#id_message")).to_have_value("Is the nasal spray covered by insurance?")
    expect(page.locator("#id_email")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_email")).to_be_focused()
    page.fill("#id_email", "robin@example.com")
    page.get_by_role("button", name="Send").click()

    expect(page.locator("h1")).to_have_text("Thank you. We have your message.")
    expect(page.locator("main")).to_contain_text("reach you by email")
    assert count_inquiries(site, "Robin Phone") == 1


def tab_to(page, selector, limit=250):
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_same_journey_with_the_keyboard_only(phone, site):
    page = phone
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()  # the first stop skips to the content
    tab_to(page, 'main a[href="/conditions/treatment-resistant-depression/"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Treatment-resistant depression")
    tab_to(page, 'main .prose a[href="/learn/who-can-have-ketamine/"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Who can have ketamine")
    tab_to(page, '.next-step a[href="/contact/"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Contact us")
    shown_at = time.monotonic()

    tab_to(page, "#id_name")
    page.keyboard.type("Kim Keys")
    tab_to(page, "#id_phone")
    page.keyboard.type("212 555 01")  # the mistake: a number too short
    tab_to(page, "#id_preferred_contact_0")
    page.keyboard.press("Space")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    page.wait_for_timeout(max(0, MIN_SECONDS - (time.monotonic() - shown_at)) * 1000)
    tab_to(page, 'button[type="submit"]')
    page.keyboard.press("Enter")

    expect(page.locator(".error-summary")).to_be_focused()  # the summary is where the reader lands
    page.keyboard.press("Tab")
    expect(page.locator(".error-summary a").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_phone")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type("42")
    tab_to(page, 'button[type="submit"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Thank you. We have your message.")
    assert count_inquiries(site, "Kim Keys") == 1


def test_a_staff_member_edits_previews_and_publishes_a_page(desktop, new_desktop, site):
    page = desktop
    sign_in(page, "reviewer", with_code=True)
    page.goto("/admin/content/page/")
    page.get_by_role("link", name="Glossary").click()
    new_text = "Browser test: a new line written in the editor."
    body = page.locator("#id_body")
    body.fill(body.input_value() + "\n\n" + new_text)
    expect(page.locator(".field-body .markdownx-preview")).to_contain_text(new_text)  # the live preview
    expect(page.locator(".check-report")).to_contain_text("Reading grade")  # and the live check

    visitor = new_desktop()
    visitor.goto("/learn/glossary/")
    expect(visitor.locator("main")).not_to_contain_text(new_text)

    page.locator('input[name="_review"]').click()  # the review screen: exactly what goes live
    expect(page.get_by_role("region", name="What patients will see change")).to_contain_text(
        "new line written"
    )
    page.get_by_label("Publish even though the review is overdue").check()  # never reviewed: asks first
    page.get_by_role("button", name="Mark reviewed and publish now").click()
    expect(page.locator(".messagelist")).to_contain_text("is published")

    visitor.reload()
    expect(visitor.locator("main .prose")).to_contain_text(new_text)


def test_the_front_desk_finds_a_new_inquiry_and_marks_it_contacted(phone, desktop, site):
    send_insurance_check(
        phone, name="Morgan Queue", contact=("#id_phone", "212-555-0177"), member_id="MQ123456"
    )

    page = desktop
    sign_in(page, "desk", with_code=True)
    page.get_by_role("link", name="Inquiries", exact=True).click()
    page.fill("#searchbar", "Morgan Queue")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Morgan Queue").click()
    expect(page.locator("#content")).to_contain_text("MQ123456")  # decrypted for the desk only
    page.select_option("#id_status", "contacted")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    status = site.python(
        "from inquiries.models import AccessLogEntry, Inquiry\n"
        "i = Inquiry.objects.get(name='Morgan Queue')\n"
        "print(i.status, AccessLogEntry.objects.filter(inquiry_id=i.pk, username='desk').count())"
    )
    assert status.split()[0] == "contacted" and int(status.split()[1]) >= 2  # viewed, then changed


def test_no_javascript_is_needed_to_read_or_to_send_the_form(browser, site):
    context = browser.new_context(
        base_url=site.url, java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learn").click()
    page.locator('main a[href="/learn/what-to-expect/"]').click()
    expect(page.locator("main .prose")).to_contain_text("drive")
    send_insurance_check(
        page, name="Noa Script", contact=("#id_email", "noa@example.com"), member_id="NS998877"
    )
    assert count_inquiries(site, "Noa Script") == 1
    context.close()

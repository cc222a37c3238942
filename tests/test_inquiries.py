"""The contact form, from a person's first keystroke to the front desk's email, kept safe on the way."""

import re
import time
import uuid
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from inquiries import services, views
from inquiries.models import Inquiry

CONTACT = "/contact/"
INSURANCE = "/contact/?kind=insurance"


def fresh_token(seconds_ago=60):
    """A form token as if the form had been shown `seconds_ago` seconds ago."""
    with time_machine.travel(time.time() - seconds_ago, tick=False):
        return views._new_token()


def question(**overrides):
    data = {
        "name": "Jamie Rivera",
        "phone": "(212) 555-0123",
        "email": "jamie@example.com",
        "preferred_contact": "phone",
        "preferred_time": "morning",
        "service": "not-sure",
        "message": "Can you tell me what the first visit is like?",
        "consent": "on",
        "website": "",
        "token": fresh_token(),
    }
    data.update(overrides)
    return data


def insurance(**overrides):
    data = question(
        service="esketamine",
        insurance_carrier="Blue Example Health",
        member_id="XJH123456789",
        group_number="GRP-4455",
        patient_dob="1985-03-14",
        patient_is_policy_holder="yes",
        policy_holder_name="",
        policy_holder_dob="",
    )
    data.update(overrides)
    return data


def submit(client, data, url=CONTACT, capture=None):
    if capture is None:
        return client.post(url, data)
    with capture(execute=True):
        return client.post(url, data)


@pytest.fixture
def post(client, authored, django_capture_on_commit_callbacks):
    """POST the form and run what runs after the commit (the notification), as in production."""

    def _post(data, url=CONTACT):
        return submit(client, data, url, django_capture_on_commit_callbacks)

    return _post


# The form itself --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CONTACT, INSURANCE])
def test_form_page_opens_with_the_emergency_note_and_no_store(client, authored, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert (
        "<strong>This form is not for emergencies.</strong> If you are thinking about harming yourself, "
        'call or text <a href="tel:988">988</a>. If you are in danger, call <a href="tel:911">911</a>.'
    ) in body
    assert 'name="consent"' in body and 'name="website"' in body and 'name="token"' in body


def test_insurance_form_asks_for_insurance_and_the_question_form_does_not(client, authored):
    assert 'name="member_id"' in client.get(INSURANCE).content.decode()
    assert 'name="member_id"' not in client.get(CONTACT).content.decode()


def test_a_valid_question_is_saved_once_and_redirects_to_thanks(post):
    response = post(question())
    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    inquiry = Inquiry.objects.get()
    assert inquiry.kind == "question" and inquiry.name == "Jamie Rivera"
    assert inquiry.phone == "+12125550123" and inquiry.message.startswith("Can you tell me")
    assert inquiry.status == "new" and not inquiry.urgent and inquiry.consent_at
    assert inquiry.member_id == "" and inquiry.patient_dob is None


def test_a_valid_insurance_check_is_saved_once_with_its_details(post):
    response = post(insurance(), INSURANCE)
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.kind == "insurance"
    assert inquiry.member_id == "XJH123456789" and inquiry.group_number == "GRP-4455"
    assert inquiry.patient_dob == date(1985, 3, 14)
    assert inquiry.patient_is_policy_holder and inquiry.policy_holder_name == ""


def test_policy_holder_details_are_kept_only_when_someone_else_holds_the_policy(post):
    post(
        insurance(
            patient_is_policy_holder="no", policy_holder_name="Sam Rivera", policy_holder_dob="04/02/1960"
        ),
        INSURANCE,
    )
    inquiry = Inquiry.objects.get()
    assert not inquiry.patient_is_policy_holder
    assert inquiry.policy_holder_name == "Sam Rivera" and inquiry.policy_holder_dob == date(1960, 4, 2)


def test_policy_holder_details_given_by_mistake_are_not_stored(post):
    post(
        insurance(
            patient_is_policy_holder="yes", policy_holder_name="Sam Rivera", policy_holder_dob="1960-04-02"
        ),
        INSURANCE,
    )
    inquiry = Inquiry.objects.get()
    assert inquiry.policy_holder_name == "" and inquiry.policy_holder_dob is None


@pytest.mark.parametrize(
    "typed",
    [
        "2125550123",
        "212-555-0123",
        "(212) 555-0123",
        "212.555.0123",
        "+1 212 555 0123",
        "1-212-555-0123",
        " 212 555 0123 ",
    ],
)
def test_us_phone_numbers_in_any_common_format_are_stored_normalized(post, typed):
    post(question(phone=typed))
    assert Inquiry.objects.get().phone == "+12125550123"


# Validation a person can follow ---------------------------------------------------------------

INVALID = [
    ("name", {"name": ""}, "Enter your name."),
    ("name", {"name": "x" * 101}, "at most 100 characters"),
    ("phone", {"phone": "555-1234"}, "Enter a US phone number with its area code"),
    ("phone", {"phone": "not a number"}, "Enter a US phone number with its area code"),
    ("phone", {"phone": "", "email": ""}, "Give a phone number or an email address"),
    ("email", {"email": "jamie@"}, "Enter an email address like name@example.com."),
    ("preferred_contact", {"preferred_contact": ""}, "Choose how we should reach you."),
    (
        "preferred_contact",
        {"preferred_contact": "email", "email": ""},
        "Add an email address, or choose a call",
    ),
    ("preferred_contact", {"preferred_contact": "text", "phone": ""}, "Add a phone number, or choose email."),
    ("service", {"service": "surgery"}, "Select a valid choice"),
    ("message", {"message": "x" * 2001}, "Keep your message under 2,000 characters."),
    ("consent", {"consent": ""}, "Tick the box so we may contact you about this inquiry."),
]
INSURANCE_INVALID = [
    ("insurance_carrier", {"insurance_carrier": ""}, "Enter the name of your insurance company."),
    ("member_id", {"member_id": ""}, "Enter the member ID from the insurance card."),
    ("member_id", {"member_id": "9" * 41}, "at most 40 characters"),
    ("patient_dob", {"patient_dob": ""}, "Enter the patient&#x27;s date of birth."),
    ("patient_dob", {"patient_dob": "2099-01-01"}, "date of birth must be in the past"),
    ("patient_dob", {"patient_dob": "1850-01-01"}, "the year looks too early"),
    ("patient_dob", {"patient_dob": "31/31/1985"}, "Enter a real date, like 03/14/1985."),
    ("policy_holder_name", {"patient_is_policy_holder": "no"}, "Enter the policy holder&#x27;s name."),
    (
        "policy_holder_dob",
        {"patient_is_policy_holder": "no", "policy_holder_name": "Sam"},
        "Enter the policy holder&#x27;s date of birth.",
    ),
]


def _check_error_shown_and_input_kept(response, field, message, data):
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Error:" in body
    summary = re.search(r'<div class="error-summary".*?</div>', body, re.S).group(0)
    assert message in summary
    assert re.search(rf'href="#id_{field}(_0)?"', summary)
    error_id = f"id_{field}_error"
    assert f'id="{error_id}"' in body
    described = re.findall(rf'<input[^>]*aria-describedby="([^"]*{error_id}[^"]*)"[^>]*>', body)
    described += re.findall(rf'<textarea[^>]*aria-describedby="([^"]*{error_id}[^"]*)"', body)
    assert described, f"no input points at {error_id}"
    # Everything else the person typed is still there.
    assert 'value="Jamie Rivera"' in body or field == "name"
    if field != "message":
        assert "Can you tell me what the first visit is like?" in body
    assert not Inquiry.objects.exists()


@pytest.mark.parametrize(
    ("field", "changes", "message"), INVALID, ids=[f"{f}-{m[:20]}" for f, _, m in INVALID]
)
def test_each_invalid_field_shows_its_error_and_keeps_the_input(post, field, changes, message):
    data = question(**changes)
    _check_error_shown_and_input_kept(post(data), field, message, data)


@pytest.mark.parametrize(
    ("field", "changes", "message"), INSURANCE_INVALID, ids=[f"{f}-{m[:20]}" for f, _, m in INSURANCE_INVALID]
)
def test_each_invalid_insurance_field_shows_its_error_and_keeps_the_input(post, field, changes, message):
    data = insurance(**changes)
    response = post(data, INSURANCE)
    _check_error_shown_and_input_kept(response, field, message, data)
    assert 'value="XJH123456789"' in response.content.decode() or field == "member_id"


def test_an_oversized_request_gets_a_clear_page_not_a_500(client, authored):
    response = client.post(CONTACT, question(message="x" * 70_000))
    assert response.status_code == 413
    assert "too long" in response.content.decode() and 'href="tel:+15550100100"' in response.content.decode()
    assert not Inquiry.objects.exists()


def test_a_form_left_open_too_long_keeps_what_was_typed(post):
    with time_machine.travel(time.time() - 2 * 24 * 3600, tick=False):
        old = views._new_token()
    response = post(question(token=old))
    body = response.content.decode()
    assert response.status_code == 200 and "This form was open for a long time" in body
    assert 'value="Jamie Rivera"' in body and "Can you tell me what the first visit" in body
    assert not Inquiry.objects.exists()


def test_a_forged_token_saves_nothing(post):
    response = post(question(token="abc:forged:token"))
    assert response.status_code == 200 and not Inquiry.objects.exists()


def test_a_post_without_csrf_token_is_refused(authored):
    client = Client(enforce_csrf_checks=True)
    response = client.post(CONTACT, question())
    assert response.status_code == 403
    assert not Inquiry.objects.exists()


# Nothing lost, nothing twice -------------------------------------------------------------------


def test_a_double_submit_makes_one_inquiry_and_one_email(post):
    data = question()
    first, second = post(data), post(data)
    assert first.status_code == second.status_code == 302
    assert Inquiry.objects.count() == 1
    assert len(mail.outbox) == 1


def test_back_and_resubmit_with_a_new_form_makes_one_inquiry(post):
    post(question())
    post(question(token=fresh_token()))
    assert Inquiry.objects.count() == 1


def test_two_different_people_make_two_inquiries(post):
    post(question())
    post(question(name="Alex Kim", phone="2125550199", email="alex@example.com"))
    assert Inquiry.objects.count() == 2


def test_thanks_page_says_what_happens_next_and_is_not_stored(post, client):
    post(question(preferred_contact="email"))
    response = client.get("/contact/thanks/")
    body = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "Our front desk will reach you by email within one business day." in body
    assert 'href="tel:+15550100100"' in body
    assert '<meta name="robots" content="noindex">' in body


# Bots ---------------------------------------------------------------------------------------------


def test_a_filled_hidden_field_keeps_the_message_as_possible_spam_without_email(post):
    response = post(question(website="https://spam.example"))
    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    kept = Inquiry.objects.get()
    assert kept.status == Inquiry.Status.SUSPECT and "hidden field" in kept.spam_signal
    assert mail.outbox == [] and services.notifications_send_pending() == (0, 0)


def test_a_fast_sender_is_kept_as_possible_spam_never_dropped(post):
    response = post(question(token=fresh_token(seconds_ago=1)))
    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    kept = Inquiry.objects.get()
    assert kept.status == Inquiry.Status.SUSPECT and "seconds after the form opened" in kept.spam_signal
    assert mail.outbox == []


def test_a_fast_sender_in_crisis_is_urgent_notified_and_sees_988_first(post, client):
    response = post(question(token=fresh_token(seconds_ago=1), message="I want to kill myself tonight."))
    kept = Inquiry.objects.get()
    assert kept.urgent and kept.status == Inquiry.Status.NEW and len(mail.outbox) == 1
    page = client.get(response["Location"]).content.decode()
    assert page.index("Call 988") < page.index("We have your message")


def test_possible_spam_is_purged_after_30_days(post):
    post(question(website="https://spam.example"))
    Inquiry.objects.update(received=timezone.now() - timedelta(days=31))
    assert services.inquiries_purge() == 1


def test_the_thank_you_page_opened_directly_says_nothing_was_received(client, authored):
    body = client.get("/contact/thanks/").content.decode()
    assert "We have not received a message from you" in body and "We have your message" not in body
    assert 'href="/contact/"' in body


def test_rate_limit_answers_429_with_the_phone_number_and_keeps_the_input(post, settings):
    for n in range(5):
        assert post(question(name=f"Person {n}", email=f"p{n}@example.com")).status_code == 302
    response = post(question(name="Person 6", email="p6@example.com"))
    body = response.content.decode()
    assert response.status_code == 429
    assert 'href="tel:+15550100100"' in body and 'value="Person 6"' in body
    assert Inquiry.objects.count() == 5


def test_rate_limit_is_per_client(post, client):
    for n in range(5):
        post(question(name=f"Person {n}", email=f"p{n}@example.com"))
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post(CONTACT, question(name="Someone else", email="else@example.com")).status_code == 302


def test_an_ipv6_client_cannot_rotate_its_address_inside_its_64_to_pass_the_limit(rf):
    def key(address):
        return services.client_key(rf.get("/", REMOTE_ADDR=address))

    assert key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff:ffff:ffff:fffe")
    assert key("2001:db8:1:2::1") != key("2001:db8:1:3::1")  # a neighbour's network is not
    assert key("::ffff:203.0.113.9") == key("203.0.113.9")
    assert key("203.0.113.9") != key("203.0.113.10")


def test_rate_limit_client_key_is_not_the_address(rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")
    key = services.client_key(request)
    assert "203.0.113.9" not in key and len(key) == 64


# Notification without health data ------------------------------------------------------------


def test_notification_holds_no_submitted_value(post):
    data = insurance(message="I feel awful and need help with my depression")
    post(data, INSURANCE)
    inquiry = Inquiry.objects.get()
    [email] = mail.outbox
    assert email.to == ["desk@clinic.example"]
    assert email.subject == f"New inquiry #{inquiry.pk} (insurance verification)"
    assert (
        f"review it here: https://clinic.example/admin/inquiries/inquiry/{inquiry.pk}/change/" in email.body
    )
    text = f"{email.subject}\n{email.body}".lower()
    for value in [
        "Jamie",
        "Rivera",
        "2125550123",
        "555-0123",
        "jamie@example.com",
        "depression",
        "awful",
        "Blue Example",
        "XJH123456789",
        "GRP-4455",
        "1985",
    ]:
        assert value.lower() not in text, value


def test_mail_server_down_keeps_the_inquiry_and_sends_exactly_one_email_later(post, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("mail server is down")

    monkeypatch.setattr(services, "send_mail", down)
    response = post(question())
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.notified_at is None and inquiry.notify_attempts == 1 and mail.outbox == []

    monkeypatch.undo()
    from django.core.management import call_command

    call_command("send_pending_notifications", verbosity=0)
    call_command("send_pending_notifications", verbosity=0)
    assert len(mail.outbox) == 1
    inquiry.refresh_from_db()
    assert inquiry.notified_at is not None


def test_a_notification_already_being_sent_is_not_sent_again(post, monkeypatch):
    monkeypatch.setattr(services, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    post(question())
    monkeypatch.undo()
    inquiry = Inquiry.objects.get()
    Inquiry.objects.filter(pk=inquiry.pk).update(
        notify_claimed_at=inquiry.received
    )  # another worker, just now
    with time_machine.travel(inquiry.received, tick=False):
        assert services.notification_send(inquiry_id=inquiry.pk) is False
    with time_machine.travel(inquiry.received + timedelta(minutes=6), tick=False):
        assert (
            services.notification_send(inquiry_id=inquiry.pk) is True
        )  # the other worker's claim went stale
    assert services.notification_send(inquiry_id=inquiry.pk) is False
    assert len(mail.outbox) == 1


# Crisis words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "I have thought about suicide",
        "sometimes I want to kill myself",
        "I want to end my life",
        "I took an overdose last year",
        "I keep hurting myself",
        "I'd be better off dead",
    ],
)
def test_crisis_words_flag_the_inquiry_and_put_the_crisis_card_first(post, client, message):
    post(question(message=message))
    inquiry = Inquiry.objects.get()
    assert inquiry.urgent
    assert mail.outbox[0].subject.startswith("URGENT: New inquiry")
    body = client.get("/contact/thanks/").content.decode()
    main = body.split('<main id="main-content"')[1]
    assert main.index('class="urgent-help"') < main.index("We have your message")
    assert 'href="tel:988"' in main.split("We have your message")[0]


def test_ordinary_messages_are_not_flagged(post):
    post(question(message="What does it cost? I have tried two antidepressants."))
    assert not Inquiry.objects.get().urgent


# Side channels --------------------------------------------------------------------------------


def test_form_view_hides_every_post_parameter_from_error_reports(rf, authored):
    from django.contrib.sessions.backends.db import SessionStore
    from django.views.debug import SafeExceptionReporterFilter

    request = rf.post(CONTACT, question(member_id="SECRET-MEMBER"))
    request.session = SessionStore()
    request._dont_enforce_csrf_checks = True
    views.contact(request)
    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    assert "SECRET-MEMBER" not in str(cleaned) and "Jamie" not in str(cleaned)


def test_error_reports_hide_post_data_on_every_view(rf):
    from django.views.debug import get_exception_reporter_filter

    request = rf.post(
        "/admin/inquiries/inquiry/1/change/", {"internal_notes": "Patient mentioned a diagnosis"}
    )
    cleaned = get_exception_reporter_filter(request).get_post_parameters(request)
    assert "diagnosis" not in str(cleaned) and "internal_notes" in cleaned


def test_nothing_typed_reaches_the_logs(post, caplog, monkeypatch):
    caplog.set_level("DEBUG")
    monkeypatch.setattr(services, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    post(insurance(message="my private words"), INSURANCE)
    post(insurance(name="", message="more private words"), INSURANCE)  # an invalid one too
    logged = caplog.text.lower()
    for value in ["jamie", "private words", "xjh123456789", "555-0123", "jamie@example.com"]:
        assert value not in logged


def test_the_database_holds_no_plaintext_of_the_sensitive_fields(post):
    post(
        insurance(
            message="A very private message",
            patient_is_policy_holder="no",
            policy_holder_name="Sam Holder",
            policy_holder_dob="1960-04-02",
        ),
        INSURANCE,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT message, member_id, group_number, patient_dob, policy_holder_name, policy_holder_dob "
            "FROM inquiries_inquiry"
        )
        raw = " ".join(cursor.fetchone())
    for plaintext in [
        "private message",
        "XJH123456789",
        "GRP-4455",
        "1985-03-14",
        "Sam Holder",
        "1960-04-02",
    ]:
        assert plaintext not in raw
    assert raw.count("gAAAA") == 6  # six Fernet tokens
    inquiry = Inquiry.objects.get()
    assert inquiry.message == "A very private message"  # and the key reads them back


def test_without_the_encryption_key_nothing_is_readable(post, settings):
    post(insurance(), INSURANCE)
    from cryptography.fernet import Fernet

    settings.INQUIRY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    stored = Inquiry.objects.get()
    assert "XJH" not in stored.member_id and "cannot be decrypted" in stored.member_id


def test_an_old_key_still_reads_after_rotation(post, settings):
    from cryptography.fernet import Fernet

    post(insurance(), INSURANCE)
    settings.INQUIRY_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.INQUIRY_ENCRYPTION_KEYS]
    assert Inquiry.objects.get().member_id == "XJH123456789"


@pytest.mark.parametrize(
    "change",
    [
        {"preferred_contact": "email"},
        {"preferred_time": "evening"},
        {"service": "iv-ketamine"},
        {"patient_dob": "1985-03-15"},  # a second child on the same member ID
    ],
)
def test_a_second_inquiry_that_differs_in_anything_is_kept(post, change):
    post(insurance(), INSURANCE)
    post(insurance(**change), INSURANCE)
    assert Inquiry.objects.count() == 2


def test_key_rotation_can_be_finished_and_rerun(post, settings, capsys):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    post(insurance(), INSURANCE)
    old = list(settings.INQUIRY_ENCRYPTION_KEYS)
    settings.INQUIRY_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old]
    call_command("reencrypt_inquiries")
    call_command("reencrypt_inquiries")  # safe to run again
    assert "Re-encrypted 1 inquiries; 0 could not be read" in capsys.readouterr().out
    settings.INQUIRY_ENCRYPTION_KEYS = settings.INQUIRY_ENCRYPTION_KEYS[:1]  # the old key retired
    assert Inquiry.objects.get().member_id == "XJH123456789"


def test_a_row_no_key_can_read_does_not_break_the_queue_and_is_never_overwritten(
    post, settings, client, front_desk
):
    from cryptography.fernet import Fernet

    post(insurance(), INSURANCE)
    inquiry = Inquiry.objects.get()
    kept = list(settings.INQUIRY_ENCRYPTION_KEYS)
    settings.INQUIRY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the right key is missing
    client.force_login(front_desk)
    assert client.get("/admin/inquiries/inquiry/").status_code == 200
    page = client.get(f"/admin/inquiries/inquiry/{inquiry.pk}/change/")
    assert page.status_code == 200 and "cannot be decrypted" in page.content.decode()
    client.post(
        f"/admin/inquiries/inquiry/{inquiry.pk}/change/", {"status": "contacted", "internal_notes": ""}
    )
    settings.INQUIRY_ENCRYPTION_KEYS = kept
    assert Inquiry.objects.get().member_id == "XJH123456789"  # saving it kept what it could not read


def test_submission_token_is_unique_per_form(client, authored):
    first = re.search(r'name="token" value="([^"]+)"', client.get(CONTACT).content.decode()).group(1)
    second = re.search(r'name="token" value="([^"]+)"', client.get(CONTACT).content.decode()).group(1)
    assert first != second
    assert uuid.UUID(first.split(":")[0])

"""What happens only after a real commit: the front-desk email and the public page cache.

These tests run with `transactional_db`, so every save really commits and `transaction.on_commit`
callbacks run as they do in production (inside a test's rolled-back transaction they never run).
"""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from test_inquiries import question

from content import publishing
from content.models import Page
from inquiries.models import Inquiry


def test_a_sent_form_is_committed_and_then_the_front_desk_is_told(committed):
    response = Client().post("/contact/", question())
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert len(mail.outbox) == 1 and f"#{inquiry.pk}" in mail.outbox[0].subject
    assert inquiry.notified_at is not None
    assert "first visit" not in mail.outbox[0].body  # the email never carries what the person wrote


def test_no_email_is_sent_for_an_inquiry_that_was_rolled_back(committed):
    from inquiries import services

    with pytest.raises(RuntimeError), transaction.atomic():
        services.inquiry_submit(
            data={
                "kind": "question",
                "name": "Jamie Rivera",
                "phone": "+12125550123",
                "email": "",
                "preferred_contact": "phone",
                "message": "Hello",
            },
            token="rolled-back-token",
        )
        raise RuntimeError
    assert mail.outbox == [] and not Inquiry.objects.exists()


def test_a_mail_server_that_fails_leaves_the_notification_for_the_sweep(committed, settings):
    settings.EMAIL_BACKEND = "tests.test_committed.FailingBackend"
    assert Client().post("/contact/", question()).status_code == 302  # the person is never shown an error
    inquiry = Inquiry.objects.get()
    assert inquiry.notified_at is None and inquiry.notify_attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_pending_notifications")
    assert Inquiry.objects.get().notified_at is not None and len(mail.outbox) == 1


def test_a_published_page_is_served_fresh_by_a_worker_that_had_cached_it(committed, settings):
    settings.PAGE_CACHE_SECONDS = 600
    worker = Client()
    assert "Freshly published" not in worker.get("/learn/faq/").content.decode()
    page = Page.objects.get(slug="faq")
    page.body = "## Is this new?\n\nFreshly published words."
    publishing.save_draft(document=page, user=None)
    publishing.publish(document=page, user=None)
    assert "Freshly published words." in worker.get("/learn/faq/").content.decode()


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")

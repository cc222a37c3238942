"""The front desk's queue in the admin: who may see what, the access log, export, purge, ordering."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conditions.models import Condition
from content.models import Page
from inquiries.models import AccessLogEntry, Inquiry


def make_inquiry(**fields):
    defaults = {
        "kind": Inquiry.Kind.QUESTION,
        "name": "Jamie Rivera",
        "phone": "+12125550123",
        "email": "jamie@example.com",
        "preferred_contact": Inquiry.ContactMethod.PHONE,
        "message": "What is the first visit like?",
        "consent_at": timezone.now(),
    }
    defaults.update(fields)
    defaults.setdefault("submission_token", f"token-{Inquiry.objects.count()}-{defaults['name']}")
    defaults.setdefault("fingerprint", defaults["submission_token"])
    return Inquiry.objects.create(**defaults)


@pytest.fixture
def inquiry(db):
    return make_inquiry()


@pytest.fixture
def users(client, admin_user, front_desk, content_editor, staff_without_edit):
    return {
        "anonymous": None,
        "plain staff": staff_without_edit,
        "content editor": content_editor,
        "front desk": front_desk,
        "administrator": admin_user,
    }


LOGIN = 302  # the admin sends anonymous visitors to its sign-in page
MATRIX = [
    # (url, method, anonymous, plain staff, content editor, front desk, administrator)
    ("/admin/inquiries/inquiry/", "get", LOGIN, 403, 403, 200, 200),
    ("/admin/inquiries/inquiry/{inquiry}/change/", "get", LOGIN, 403, 403, 200, 200),
    ("/admin/inquiries/inquiry/{inquiry}/delete/", "get", LOGIN, 403, 403, 403, 403),
    ("/admin/inquiries/inquiry/add/", "get", LOGIN, 403, 403, 403, 403),
    ("/admin/inquiries/accesslogentry/", "get", LOGIN, 403, 403, 403, 200),
    ("/admin/content/page/", "get", LOGIN, 403, 200, 403, 200),
    ("/admin/content/page/{page}/change/", "get", LOGIN, 403, 200, 403, 200),
    ("/admin/conditions/condition/", "get", LOGIN, 403, 200, 403, 200),
    ("/admin/conditions/condition/{condition}/change/", "get", LOGIN, 403, 200, 403, 200),
    ("/admin/content/clinicprofile/", "get", LOGIN, 403, 200, 403, 200),
    ("/admin/auth/user/", "get", LOGIN, 403, 403, 403, 200),
    ("/markdownx/markdownify/", "post", 403, 403, 200, 403, 200),
]
ROLES = ["anonymous", "plain staff", "content editor", "front desk", "administrator"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", MATRIX, ids=[f"{m} {u}" for u, m, *_ in MATRIX])
def test_each_group_reaches_exactly_what_it_should(client, authored, users, inquiry, role, row):
    url, method, *expected = row
    url = url.format(inquiry=inquiry.pk, page=Page.objects.first().pk, condition=Condition.objects.first().pk)
    if users[role] is not None:
        client.force_login(users[role])
    response = getattr(client, method)(url, {"content": "# Hi"} if method == "post" else None)
    assert response.status_code == expected[ROLES.index(role)]


def test_admin_index_shows_each_group_only_its_own_sections(client, authored, front_desk, content_editor):
    client.force_login(front_desk)
    body = client.get("/admin/").content.decode()
    assert "/admin/inquiries/inquiry/" in body and "/admin/content/page/" not in body
    assert "/admin/inquiries/accesslogentry/" not in body
    client.force_login(content_editor)
    body = client.get("/admin/").content.decode()
    assert "/admin/content/page/" in body and "/admin/inquiries/" not in body


def test_viewing_one_inquiry_writes_one_access_log_row(client, front_desk, inquiry):
    client.force_login(front_desk)
    client.get(f"/admin/inquiries/inquiry/{inquiry.pk}/change/")
    [entry] = AccessLogEntry.objects.filter(action="view")
    assert (entry.username, entry.inquiry_id, entry.user) == ("desk", inquiry.pk, front_desk)


def test_listing_and_changing_are_logged(client, front_desk, inquiry):
    client.force_login(front_desk)
    client.get("/admin/inquiries/inquiry/?status__exact=new")
    response = client.post(
        f"/admin/inquiries/inquiry/{inquiry.pk}/change/",
        {"status": "contacted", "assigned_to": front_desk.pk, "internal_notes": "Left a voicemail."},
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "contacted" and inquiry.internal_notes == "Left a voicemail."
    actions = list(AccessLogEntry.objects.order_by("pk").values_list("action", "inquiry_id"))
    assert actions == [("list", None), ("change", inquiry.pk)]


def test_the_desk_cannot_change_what_the_person_sent(client, front_desk, inquiry):
    client.force_login(front_desk)
    client.post(
        f"/admin/inquiries/inquiry/{inquiry.pk}/change/",
        {"status": "new", "name": "Someone Else", "message": "changed", "internal_notes": ""},
    )
    inquiry.refresh_from_db()
    assert inquiry.name == "Jamie Rivera" and inquiry.message == "What is the first visit like?"


def test_the_access_log_is_append_only(client, admin_user, front_desk, inquiry):
    client.force_login(front_desk)
    client.get(f"/admin/inquiries/inquiry/{inquiry.pk}/change/")
    entry = AccessLogEntry.objects.get(action="view")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.update(detail="rewritten")
    client.force_login(admin_user)
    assert (
        client.get(f"/admin/inquiries/accesslogentry/{entry.pk}/change/").status_code == 200
    )  # read-only view
    assert (
        client.post(f"/admin/inquiries/accesslogentry/{entry.pk}/change/", {"detail": "x"}).status_code == 403
    )
    assert client.get(f"/admin/inquiries/accesslogentry/{entry.pk}/delete/").status_code == 403
    assert AccessLogEntry.objects.get(pk=entry.pk).detail == ""


def test_the_queue_shows_open_inquiries_unanswered_urgent_first_then_oldest(client, front_desk):
    now = timezone.now()
    old_new = make_inquiry(name="Old new", received=now - timedelta(days=2))
    recent_new = make_inquiry(name="Recent new", received=now - timedelta(hours=1))
    old_contacted = make_inquiry(name="Old contacted", received=now - timedelta(days=5), status="contacted")
    urgent = make_inquiry(name="Urgent one", received=now - timedelta(minutes=5), urgent=True)
    answered_urgent = make_inquiry(
        name="Answered urgent", received=now - timedelta(minutes=1), urgent=True, status="contacted"
    )
    closed = make_inquiry(name="Closed one", received=now - timedelta(days=9), status="closed")
    client.force_login(front_desk)
    body = client.get("/admin/inquiries/inquiry/").content.decode()
    positions = [
        body.index(f"/admin/inquiries/inquiry/{i.pk}/change/")
        for i in (urgent, old_contacted, old_new, recent_new, answered_urgent)
    ]
    assert positions == sorted(positions)
    assert f"/admin/inquiries/inquiry/{closed.pk}/change/" not in body  # closed ones only when asked
    everything = client.get("/admin/inquiries/inquiry/", {"queue": "all"}).content.decode()
    assert f"/admin/inquiries/inquiry/{closed.pk}/change/" in everything


def test_the_queue_says_urgent_in_words_only_while_open_and_stops_the_wait_once_answered(client, front_desk):
    now = timezone.now()
    urgent = make_inquiry(name="Urgent open", received=now - timedelta(hours=2), urgent=True)
    calm = make_inquiry(name="Calm", received=now - timedelta(hours=30))
    answered = make_inquiry(name="Answered", received=now - timedelta(hours=5))
    client.force_login(front_desk)
    client.post("/admin/inquiries/inquiry/", {"action": "mark_contacted", "_selected_action": [answered.pk]})
    body = client.get("/admin/inquiries/inquiry/").content.decode()

    def row(inquiry):
        return body.split(f"/admin/inquiries/inquiry/{inquiry.pk}/change/", 1)[1].split("</tr>")[0]

    assert "Urgent" in row(urgent) and "Urgent" not in row(calm) and "icon-" not in row(calm)
    assert "Overdue" in row(calm) and "Overdue" not in row(urgent)  # answers are promised within 24 hours
    assert "Answered after 5" in row(answered)


@pytest.mark.parametrize("term", ["(212) 555-0123", "212-555-0123", "Rivera", "jamie@example"])
def test_search_finds_by_name_email_or_phone_in_any_format(client, front_desk, inquiry, term):
    make_inquiry(name="Other Person", phone="+13125550100", email="other@example.com")
    client.force_login(front_desk)
    body = client.get("/admin/inquiries/inquiry/", {"q": term}).content.decode()
    assert f"/admin/inquiries/inquiry/{inquiry.pk}/change/" in body
    assert "Other Person" not in body


@pytest.mark.parametrize(
    ("action", "status"), [("mark_contacted", "contacted"), ("mark_closed", "closed"), ("mark_spam", "spam")]
)
def test_bulk_actions_set_status_and_are_logged(client, front_desk, action, status):
    first, second = make_inquiry(name="A"), make_inquiry(name="B")
    client.force_login(front_desk)
    client.post("/admin/inquiries/inquiry/", {"action": action, "_selected_action": [first.pk, second.pk]})
    assert set(Inquiry.objects.values_list("status", flat=True)) == {status}
    assert AccessLogEntry.objects.filter(action="change").count() == 2
    if status in ("closed", "spam"):
        assert not Inquiry.objects.filter(closed_at__isnull=True).exists()


def test_closing_again_keeps_the_first_closed_date(client, front_desk):
    """Retention counts from the first closing: a bulk close or spam mark never restarts the clock,
    whether the inquiry was closed in the change form or by an earlier bulk action."""
    closed = make_inquiry(name="Closed long ago", status="closed")
    long_ago = timezone.now() - timedelta(days=300)
    Inquiry.objects.filter(pk=closed.pk).update(closed_at=long_ago)
    client.force_login(front_desk)
    everything = "/admin/inquiries/inquiry/?queue=all"  # closed ones are not in the default view
    for action in ("mark_closed", "mark_spam"):
        client.post(everything, {"action": action, "_selected_action": [closed.pk]})
        assert Inquiry.objects.get(pk=closed.pk).closed_at == long_ago
    client.post(everything, {"action": "mark_contacted", "_selected_action": [closed.pk]})
    assert Inquiry.objects.get(pk=closed.pk).closed_at is None  # reopened


def test_csv_export_is_logged_and_neutralizes_formulas(client, front_desk):
    evil = make_inquiry(name='=HYPERLINK("http://evil.example","click")', email="a@example.com")
    plain = make_inquiry(name="@SUM(1+1)", email="b@example.com", message="secret message")
    client.force_login(front_desk)
    response = client.post(
        "/admin/inquiries/inquiry/", {"action": "export_csv", "_selected_action": [evil.pk, plain.pk]}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    names = {row["Name"] for row in rows}
    assert names == {'\'=HYPERLINK("http://evil.example","click")', "'@SUM(1+1)"}
    assert "secret message" not in response.content.decode()
    logged = set(AccessLogEntry.objects.filter(action="export").values_list("inquiry_id", flat=True))
    assert logged == {evil.pk, plain.pk}


def test_the_export_is_safe_whatever_separator_the_spreadsheet_uses(client, front_desk):
    odd = make_inquiry(name="Ann;=1+1", email="c@example.com")
    spaced = make_inquiry(name="  =2+2, -3+3", email="d@example.com")
    client.force_login(front_desk)
    response = client.post(
        "/admin/inquiries/inquiry/", {"action": "export_csv", "_selected_action": [odd.pk, spaced.pk]}
    )
    text = response.content.decode()
    for line in text.strip().splitlines():
        assert line.startswith('"') and line.endswith('"')  # every cell quoted
    names = {row["Name"] for row in csv.DictReader(io.StringIO(text))}
    assert names == {"Ann;'=1+1", "'  =2+2, '-3+3"}


def test_content_editors_cannot_export(client, content_editor, inquiry):
    client.force_login(content_editor)
    client.post("/admin/inquiries/inquiry/", {"action": "export_csv", "_selected_action": [inquiry.pk]})
    assert not AccessLogEntry.objects.filter(action="export").exists()


def test_purge_removes_exactly_the_expired_closed_inquiries(db, capsys):
    now = timezone.now()
    expired_closed = make_inquiry(name="Expired closed", status="closed")
    expired_spam = make_inquiry(name="Expired spam", status="spam")
    Inquiry.objects.filter(pk__in=[expired_closed.pk, expired_spam.pk]).update(
        closed_at=now - timedelta(days=366)
    )
    recent_closed = make_inquiry(name="Recent closed", status="closed")
    old_but_open = make_inquiry(name="Old open", status="contacted", received=now - timedelta(days=800))
    call_command("purge_inquiries")
    assert set(Inquiry.objects.values_list("pk", flat=True)) == {recent_closed.pk, old_but_open.pk}
    assert "Purged 2 closed inquiries." in capsys.readouterr().out


def test_purge_honours_the_retention_setting(db, settings):
    settings.INQUIRY_RETENTION_DAYS = 30
    closed = make_inquiry(status="closed")
    Inquiry.objects.filter(pk=closed.pk).update(closed_at=timezone.now() - timedelta(days=31))
    call_command("purge_inquiries", verbosity=0)
    assert not Inquiry.objects.exists()


def test_reopening_an_inquiry_clears_its_closed_date(inquiry):
    inquiry.status = "closed"
    inquiry.save()
    assert inquiry.closed_at is not None
    inquiry.status = "contacted"
    inquiry.save()
    assert inquiry.closed_at is None


def test_every_response_that_shows_an_inquiry_is_logged_whatever_the_method(client, front_desk, inquiry):
    client.force_login(front_desk)
    shown = client.post(f"/admin/inquiries/inquiry/{inquiry.pk}/change/", {"status": "not-a-status"})
    assert shown.status_code == 200 and inquiry.name in shown.content.decode()  # the form again
    assert AccessLogEntry.objects.filter(action="view", inquiry_id=inquiry.pk).count() == 1
    listed = client.post("/admin/inquiries/inquiry/", {})  # a POST with no action: the list again
    assert listed.status_code == 200 and inquiry.name in listed.content.decode()
    assert AccessLogEntry.objects.filter(action="list", detail="").count() == 1

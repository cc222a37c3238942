"""History of pages, conditions and the clinic profile: who changed what, what changed, and restore."""

import pytest

from conditions.models import Condition
from content import publishing
from content.models import ClinicProfile, Page


@pytest.fixture
def edited_page(client, authored, editor):
    page = Page.objects.get(slug="glossary")
    original = page.body
    client.force_login(editor)
    data = {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "body": "## A to E?\n\nA brand new glossary.",
        "references": page.references,
        "nav_order": page.nav_order,
        "next_page": page.next_page_id or "",
        "_continue": "Save draft",
    }
    assert client.post(f"/admin/content/page/{page.pk}/change/", data).status_code == 302
    page.refresh_from_db()
    return page, original


def test_history_lists_who_changed_what_and_when(client, edited_page, editor):
    page, _ = edited_page
    body = client.get(f"/admin/content/page/{page.pk}/history/").content.decode()
    assert "editor" in body and "What changed" in body
    latest = page.history.first()
    assert latest.history_user == editor and latest.body == "## A to E?\n\nA brand new glossary."


def test_compare_shows_a_readable_diff_of_the_markdown(client, edited_page):
    page, original = edited_page
    latest = page.history.first()
    response = client.get(f"/admin/content/page/{page.pk}/history/{latest.history_id}/compare/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<div class="added">+ A brand new glossary.</div>' in body
    first_removed = original.strip().splitlines()[0]
    assert f'<div class="removed">− {first_removed}</div>' in body.replace("&#x27;", "'")


def test_restore_brings_back_the_old_markdown_and_html(client, edited_page):
    page, original = edited_page
    old = page.history.order_by("history_date").first()
    url = f"/admin/content/page/{page.pk}/history/{old.history_id}/"
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "title": old.title,
        "slug": old.slug,
        "summary": old.summary,
        "body": old.body,
        "references": old.references,
        "nav_order": old.nav_order,
        "next_page": old.next_page_id or "",
        "_continue": "Revert",
    }
    assert client.post(url, data).status_code == 302
    page.refresh_from_db()
    assert page.body == original
    assert "A brand new glossary" not in page.body_html and "<dl>" in page.body_html
    assert page.published  # restoring a draft never unpublishes the page


def test_publishing_and_review_show_in_the_history(authored, clinical_reviewer):
    condition = Condition.objects.get(slug="ocd")
    publishing.mark_reviewed(document=condition, user=clinical_reviewer)
    publishing.publish(document=condition, user=clinical_reviewer)
    reasons = list(condition.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["Published", "Marked clinically reviewed by Ana Reyes"]


def test_clinic_profile_changes_are_kept(client, admin_user, authored):
    profile = ClinicProfile.load()
    profile.phone = "(555) 010-0199"
    profile.save()
    client.force_login(admin_user)
    record = profile.history.first()
    body = client.get(
        f"/admin/content/clinicprofile/{profile.pk}/history/{record.history_id}/compare/"
    ).content
    assert "(555) 010-0199" in body.decode() and "(555) 010-0100" in body.decode()


def test_staff_without_access_cannot_read_history(client, front_desk, authored):
    page = Page.objects.first()
    client.force_login(front_desk)
    assert client.get(f"/admin/content/page/{page.pk}/history/").status_code == 403
    record = page.history.first()
    assert (
        client.get(f"/admin/content/page/{page.pk}/history/{record.history_id}/compare/").status_code == 403
    )


@pytest.mark.parametrize("path", ["abc/history/1/", "{pk}/history/abc/", "{pk}/history/abc/compare/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_mangled_history_address_is_not_found_not_a_server_error(
    client, admin_user, authored, path, method
):
    page = Page.objects.get(slug="faq")
    client.force_login(admin_user)
    response = getattr(client, method)(f"/admin/content/page/{path.format(pk=page.pk)}")
    assert response.status_code in (404, 302)  # 302: the admin's own "no such object" redirect


@pytest.mark.parametrize("model", ["content/page", "conditions/condition", "content/clinicprofile"])
def test_a_mangled_history_list_address_is_not_found(client, admin_user, authored, model):
    client.force_login(admin_user)
    assert client.get(f"/admin/{model}/abc/history/").status_code in (404, 302)

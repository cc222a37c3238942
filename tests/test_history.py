"""History of pages, conditions and the clinic profile: who changed what, what changed, and restore."""

import pytest
from django.contrib.auth.models import Permission
from test_editing import admin_data

from conditions.models import Condition
from content import publishing
from content.history import compare_versions, text_diff
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


def test_compare_shows_the_rendered_text_as_words_added_and_removed(client, edited_page):
    page, original = edited_page
    latest = page.history.first()
    response = client.get(f"/admin/content/page/{page.pk}/history/{latest.history_id}/compare/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<ins class="added"><span class="visually-hidden">added: </span>' in body
    assert "A brand new glossary." in body
    assert '<del class="removed"><span class="visually-hidden">removed: </span>' in body
    assert "## " not in body  # the Markdown is compared as rendered, not as typed


def test_restore_brings_back_the_old_markdown_and_html(client, edited_page):
    page, original = edited_page
    old = page.history.order_by("history_date").first()
    assert client.get(f"/admin/content/page/{page.pk}/history/{old.history_id}/").status_code == 200
    restore = f"/admin/content/page/{page.pk}/history/{old.history_id}/restore/"
    assert client.post(restore).status_code == 302  # one step
    page.refresh_from_db()
    assert page.body == original
    assert "A brand new glossary" not in page.body_html and "<dl>" in page.body_html
    assert page.published  # restoring a draft never unpublishes the page


def test_publishing_and_review_show_in_the_history(authored, clinical_reviewer):
    condition = Condition.objects.get(slug="ocd")
    publishing.mark_reviewed(document=condition, user=clinical_reviewer)
    publishing.publish(document=condition, user=clinical_reviewer)
    reasons = list(condition.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons[0] == "Published"
    assert "marked clinically reviewed by ana reyes" in reasons[1].lower()


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


# Reading what changed ------------------------------------------------------------------------------


def test_text_diff_shows_only_the_word_that_changed():
    assert text_diff("<p>The grass is green today.</p>", "<p>The sky is green today.</p>") == [
        ("same", "The"),
        ("removed", "grass"),
        ("added", "sky"),
        ("same", "is green today."),
    ]


def test_text_diff_compares_the_text_not_the_markup():
    old = "<p>Fish &amp; <strong>chips</strong></p>"
    assert text_diff(old, "<p>Fish &amp; chips</p>") == [("same", "Fish & chips")]
    assert text_diff("", "") == []


def test_text_diff_keeps_paragraph_and_heading_breaks():
    old = "<h2>Is it safe?</h2><p>Mostly.</p>"
    new = "<h2>Is it safe?</h2><p>Mostly.</p><p>Ask us.</p>"
    assert text_diff(old, new) == [("same", "Is it safe?\nMostly."), ("added", "\nAsk us.")]


def test_text_diff_of_a_new_text_is_all_added_and_of_a_removed_one_all_removed():
    assert text_diff("", "<p>Hello there.</p>") == [("added", "Hello there.")]
    assert text_diff("<ul><li>One</li><li>Two</li></ul>", "") == [("removed", "One\nTwo")]


@pytest.fixture
def safety_page(draft_page):
    draft_page.title, draft_page.slug, draft_page.summary = "Is it safe?", "is-it-safe", "What to expect."
    draft_page.body = "## Is it safe?\n\nKetamine is **generally** safe when a doctor watches you.\n"
    draft_page.save()
    return draft_page


def _form_data(page, **changes):
    return admin_data(page, **{"_continue": "Save draft", **changes})


def _save(client, page, **changes):
    response = client.post(f"/admin/content/page/{page.pk}/change/", _form_data(page, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    return page.history.first()


def test_one_changed_word_shows_as_that_word_in_the_rendered_text(client, editor, safety_page):
    client.force_login(editor)
    body = safety_page.body.replace("a doctor", "a nurse")
    record = _save(client, safety_page, body=body)
    changes = compare_versions(record)
    assert changes == [
        {
            "field": "Body",
            "diff": [
                ("same", "Is it safe?\nKetamine is generally safe when a"),
                ("removed", "doctor"),
                ("added", "nurse"),
                ("same", "watches you."),
            ],
        }
    ]
    page = client.get(f"/admin/content/page/{safety_page.pk}/history/{record.history_id}/compare/")
    html = page.content.decode()
    assert '<span class="visually-hidden">removed: </span>doctor' in html
    assert '<span class="visually-hidden">added: </span>nurse' in html
    assert "**" not in html and "Ketamine is generally safe" in html


def test_line_endings_alone_are_no_change(client, editor, safety_page):
    client.force_login(editor)
    record = _save(client, safety_page, summary="What to expect, and who watches you.")
    # A version saved before line endings were normalised: the same text typed on Windows.
    record.__class__.objects.filter(history_id=record.history_id).update(
        body=safety_page.body.replace("\n", "\r\n")
    )
    crlf = safety_page.history.get(history_id=record.history_id)
    assert [change["field"] for change in compare_versions(crlf)] == ["Summary"]
    again = _save(client, safety_page, body=safety_page.body)  # LF again, nothing else changed
    assert compare_versions(again) == []
    html = client.get(f"/admin/content/page/{safety_page.pk}/history/{again.history_id}/compare/")
    assert "No text changed in this version" in html.content.decode()


def test_bookkeeping_fields_are_not_shown_as_changes(client, editor, safety_page):
    client.force_login(editor)
    record = _save(client, safety_page)  # saving changes the version number and the check only
    assert record.version != record.prev_record.version
    assert compare_versions(record) == []


def test_an_empty_next_page_reads_as_none_never_pk_none(client, editor, safety_page):
    client.force_login(editor)
    _save(client, safety_page, title="Is ketamine safe?")
    _save(client, safety_page, summary="What to expect when you come in.")
    glossary = Page.objects.get(slug="glossary")
    linked = _save(client, safety_page, next_page=glossary.pk)

    # simple-history's own list said "Next page: Deleted page (pk=None) → Glossary of terms" here.
    history = client.get(f"/admin/content/page/{safety_page.pk}/history/").content.decode()
    assert "pk=None" not in history and "Deleted" not in history
    assert "<strong>Next page:</strong>" in history and "Is ketamine safe?" in history
    assert {"field": "Next page", "old": "none", "new": str(glossary)} in compare_versions(linked)
    for record in safety_page.history.all():
        url = f"/admin/content/page/{safety_page.pk}/history/{record.history_id}/compare/"
        html = client.get(url).content.decode()
        assert "pk=None" not in html and "Deleted" not in html


def test_a_next_page_since_deleted_is_named_not_numbered(client, editor, safety_page):
    client.force_login(editor)
    target = Page.objects.create(title="Old aftercare", slug="old-aftercare", summary="x", body="Text.")
    linked = _save(client, safety_page, next_page=target.pk)
    target.delete()
    [change] = [c for c in compare_versions(linked) if c["field"] == "Next page"]
    assert change["new"] == "“Old aftercare” (since deleted)"
    history = client.get(f"/admin/content/page/{safety_page.pk}/history/").content.decode()
    assert "pk=" not in history


def test_the_history_list_names_the_changed_fields_in_words(client, editor, safety_page):
    client.force_login(editor)
    _save(client, safety_page, body=safety_page.body.replace("a doctor", "a nurse"))
    html = client.get(f"/admin/content/page/{safety_page.pk}/history/").content.decode()
    assert "<strong>Body:</strong>" in html and "doctor" in html and "nurse" in html
    assert "What changed" in html and "Restore this version" in html


def test_a_condition_shows_its_evidence_level_in_words(authored, editor):
    condition = Condition.objects.get(slug="ocd")
    before = condition.get_evidence_level_display()
    condition.evidence_level = (
        "early-research" if condition.evidence_level != "early-research" else "fda-approved"
    )
    publishing.save_draft(document=condition, user=editor)
    change = {"field": "Evidence level", "old": before, "new": condition.get_evidence_level_display()}
    assert compare_versions(condition.history.first()) == [change]


# Restoring in one step ---------------------------------------------------------------------------


@pytest.fixture
def published_then_edited(client, editor, authored):
    page = Page.objects.get(slug="glossary")
    live_before = page.live
    assert page.published and live_before
    first = page.history.first()
    client.force_login(editor)
    _save(client, page, body="## A to E?\n\nA brand new glossary.")
    return page, first, live_before


def test_restore_is_one_post_that_makes_the_old_version_the_draft(client, published_then_edited):
    page, first, live_before = published_then_edited
    url = f"/admin/content/page/{page.pk}/history/{first.history_id}/restore/"
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == f"/admin/content/page/{page.pk}/change/"
    page.refresh_from_db()
    assert page.body == first.body and "A brand new glossary" not in page.body_html
    assert page.published and page.live == live_before  # patients still see the live version
    html = response.content.decode()
    assert "is now the draft" in html and "Patients still see the live version" in html


def test_restore_is_offered_on_the_compare_page_and_in_the_history_list(client, published_then_edited):
    page, first, _ = published_then_edited
    restore = f"/admin/content/page/{page.pk}/history/{first.history_id}/restore/"
    compare = client.get(f"/admin/content/page/{page.pk}/history/{first.history_id}/compare/")
    assert f'action="{restore}"' in compare.content.decode()
    assert "Restore this version as the draft" in compare.content.decode()
    history = client.get(f"/admin/content/page/{page.pk}/history/").content.decode()
    assert f'action="{restore}"' in history and "csrfmiddlewaretoken" in history


def test_restore_needs_a_post(client, published_then_edited):
    page, first, _ = published_then_edited
    url = f"/admin/content/page/{page.pk}/history/{first.history_id}/restore/"
    assert client.get(url).status_code == 405
    page.refresh_from_db()
    assert "A brand new glossary" in page.body


def test_restore_needs_the_change_permission(client, django_user_model, published_then_edited):
    page, first, _ = published_then_edited
    viewer = django_user_model.objects.create_user("reader", password="a long test password", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_page"))
    client.force_login(viewer)
    history = client.get(f"/admin/content/page/{page.pk}/history/")
    assert history.status_code == 200 and "/restore/" not in history.content.decode()
    url = f"/admin/content/page/{page.pk}/history/{first.history_id}/restore/"
    assert client.post(url).status_code == 403
    page.refresh_from_db()
    assert "A brand new glossary" in page.body


def test_restore_with_a_version_of_another_page_is_not_found(client, published_then_edited):
    page, _, _ = published_then_edited
    other = Page.objects.exclude(pk=page.pk).first().history.first()
    url = f"/admin/content/page/{page.pk}/history/{other.history_id}/restore/"
    assert client.post(url).status_code == 404


def test_a_refused_restore_says_why(client, published_then_edited, monkeypatch):
    page, first, _ = published_then_edited

    def refuse(**kwargs):
        raise publishing.PublishingError("Not restored: someone is publishing this page.")

    monkeypatch.setattr(publishing, "restore_version", refuse)
    url = f"/admin/content/page/{page.pk}/history/{first.history_id}/restore/"
    response = client.post(url, follow=True)
    assert "Not restored: someone is publishing this page." in response.content.decode()
    page.refresh_from_db()
    assert "A brand new glossary" in page.body


def test_the_clinic_profile_can_be_restored_in_one_step(client, admin_user, authored):
    profile = ClinicProfile.load()
    old_phone = profile.phone
    first = profile.history.first()
    profile.phone = "(555) 010-0199"
    profile.save()
    client.force_login(admin_user)
    url = f"/admin/content/clinicprofile/{profile.pk}/history/{first.history_id}/restore/"
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == f"/admin/content/clinicprofile/{profile.pk}/change/"
    assert "is now the draft" in response.content.decode()
    profile.refresh_from_db()
    assert profile.phone == old_phone


def test_the_old_revert_form_cannot_save_around_the_publishing_rules(client, authored, content_editor):
    page = Page.objects.get(slug="faq")
    record = page.history.order_by("history_id").first()
    client.force_login(content_editor)
    url = f"/admin/content/page/{page.pk}/history/{record.history_id}/"
    shown = client.get(url)
    assert shown.status_code == 200 and 'value="Revert' not in shown.content.decode()
    before = Page.objects.get(pk=page.pk).version
    response = client.post(url, admin_data(page, slug="somewhere-else", body="Reverted around the rules."))
    assert response.status_code == 405
    assert Page.objects.get(pk=page.pk).version == before

"""content.publishing: the only way to change what patients see, with its rules kept whoever calls it."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from conditions.models import Condition
from content import publishing
from content.loading import load_content
from content.models import Page

ROOT = Path(__file__).resolve().parents[1]
LIVE_FIELDS = {
    "live",
    "live_slug",
    "live_order",
    "published",
    "published_at",
    "next_review_due",
    "reviewer_name",
    "reviewer_credentials",
    "scheduled",
    "publish_at",
    "unpublish_at",
}


@pytest.fixture
def faq(authored):
    page = Page.objects.get(slug="faq")
    page.next_review_due = timezone.localdate() + timedelta(days=100)
    publishing.save_draft(document=page, user=None)
    return page


def _live_body(page):
    return Page.objects.get(pk=page.pk).live["body_html"]


def test_saving_a_draft_never_changes_the_live_version(faq, editor):
    before = _live_body(faq)
    faq.body = "## Is this a draft?\n\nYes, only a draft."
    report = publishing.save_draft(document=faq, user=editor)
    assert _live_body(faq) == before and "only a draft" not in before
    assert Page.objects.get(pk=faq.pk).body == faq.body
    assert report.words > 0  # the draft's plain-language check comes back for the caller to show


def test_an_editor_without_the_publish_permission_is_refused(faq, content_editor):
    before = _live_body(faq)
    faq.body = "## New?\n\nNot for patients yet."
    publishing.save_draft(document=faq, user=content_editor)
    with pytest.raises(publishing.NotAllowed):
        publishing.publish(document=faq, user=content_editor)
    with pytest.raises(publishing.NotAllowed):
        publishing.unpublish(document=faq, user=content_editor)
    stored = Page.objects.get(pk=faq.pk)
    assert stored.live["body_html"] == before and stored.published


def test_a_clinical_reviewer_publishes_and_the_live_version_follows_the_draft(faq, clinical_reviewer):
    faq.body = "## New?\n\nFresh words for patients."
    publishing.save_draft(document=faq, user=clinical_reviewer)
    publishing.publish(document=faq, user=clinical_reviewer)
    assert "Fresh words for patients." in _live_body(faq)
    assert faq.history.first().history_change_reason == "Published"
    assert faq.history.first().history_user == clinical_reviewer


def test_a_link_to_an_unpublished_page_blocks_publishing(faq, clinical_reviewer, draft_page):
    faq.body = "## Where next?\n\nRead [the draft](/learn/a-draft-page/)."
    publishing.save_draft(document=faq, user=clinical_reviewer)
    with pytest.raises(publishing.LinksBroken) as refused:
        publishing.publish(document=faq, user=clinical_reviewer)
    assert "/learn/a-draft-page/" in str(refused.value) and "not published" in str(refused.value)
    assert "the draft" not in _live_body(faq)


def test_documents_that_link_to_each_other_can_go_live_together(authored, draft_page):
    other = Page.objects.create(
        title="Another draft", slug="another-draft", summary="S", body="See [it](/learn/a-draft-page/)."
    )
    draft_page.body = "See [the other](/learn/another-draft/)."
    publishing.save_draft(document=draft_page, user=None)
    with pytest.raises(publishing.LinksBroken):
        publishing.publish(document=draft_page, user=None)
    publishing.publish_together(documents=[draft_page, other], user=None)
    assert Page.objects.filter(slug__in=["a-draft-page", "another-draft"], published=True).count() == 2


def test_an_overdue_review_needs_confirmation(authored, clinical_reviewer):
    glossary = Page.objects.get(slug="glossary")  # never reviewed
    glossary.body += "\n\nOne more line."
    publishing.save_draft(document=glossary, user=clinical_reviewer)
    with pytest.raises(publishing.ReviewOverdue):
        publishing.publish(document=glossary, user=clinical_reviewer)
    assert "One more line." not in _live_body(glossary)
    publishing.publish(document=glossary, user=clinical_reviewer, confirm_overdue=True)
    assert "One more line." in _live_body(glossary)


def test_unpublishing_takes_the_page_down_and_keeps_the_draft(faq, clinical_reviewer, client):
    publishing.unpublish(document=faq, user=clinical_reviewer)
    assert client.get("/learn/faq/").status_code == 404
    assert Page.objects.get(pk=faq.pk).body == faq.body


def test_only_a_clinical_reviewer_with_credentials_marks_reviewed(faq, content_editor, clinical_reviewer):
    with pytest.raises(publishing.NotAllowed):
        publishing.mark_reviewed(document=faq, user=content_editor)
    clinical_reviewer.clinical_reviewer.delete()
    clinical_reviewer = type(clinical_reviewer).objects.get(pk=clinical_reviewer.pk)
    with pytest.raises(publishing.NotAllowed):  # the permission alone is not enough: no credentials
        publishing.mark_reviewed(document=faq, user=clinical_reviewer)
    assert Page.objects.get(pk=faq.pk).last_review is None


def test_marking_reviewed_records_who_with_their_credentials(faq, clinical_reviewer):
    today = timezone.localdate()
    publishing.mark_reviewed(document=faq, user=clinical_reviewer, today=today)
    stored = Page.objects.get(pk=faq.pk)
    review = stored.last_review
    assert (review.reviewer_name, review.reviewer_credentials) == ("Ana Reyes", "MD, psychiatrist")
    assert review.reviewed_on == today and stored.next_review_due == today + timedelta(days=365)
    assert review.fingerprint == stored.fingerprint() and review.version == stored.version


def test_the_site_itself_cannot_mark_anything_reviewed(faq):
    with pytest.raises(publishing.NotAllowed):
        publishing.mark_reviewed(document=faq, user=None)


def test_restoring_a_version_changes_the_draft_only(faq, editor):
    original = faq.body
    live = _live_body(faq)
    faq.body = "## Changed?\n\nA later text."
    publishing.save_draft(document=faq, user=editor)
    old = faq.history.filter(body=original).first()
    publishing.restore_version(document=faq, record=old, user=editor)
    stored = Page.objects.get(pk=faq.pk)
    assert stored.body == original and stored.live["body_html"] == live
    assert stored.history.first().history_change_reason.startswith("Restored the version of")


def test_a_version_of_another_document_cannot_be_restored(faq, editor):
    other = Condition.objects.get(slug="ocd").history.first()
    with pytest.raises(publishing.PublishingError):
        publishing.restore_version(document=faq, record=other, user=editor)


def test_loading_never_stops_on_a_page_that_links_to_one_staff_took_down(authored, clinical_reviewer):
    """A file that links to a page staff unpublished stays a draft; `make run` still starts."""
    linked = Page.objects.get(slug="side-effects-and-risks")
    publishing.unpublish(document=linked, user=clinical_reviewer)
    linking = Page.objects.filter(body__contains="/learn/side-effects-and-risks/").first()
    assert linking is not None, "an authored page should link to the side-effects page"
    reports = load_content(force=True)  # reloads and republishes every published authored page
    held = [line for report in reports.values() for line in report.held_back]
    assert any(line.startswith(f"{linking.slug}:") for line in held)
    call_command("load_content", verbosity=0)  # and the command itself does not fail


def _assignments(path):
    """(line, attribute) for every `x.attr = …`, `setattr(x, "attr", …)` and `.update(attr=…)` in a file."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            if isinstance(target, ast.Attribute):
                yield node.lineno, target.attr
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update":
            for keyword in node.keywords:
                yield node.lineno, keyword.arg
        is_setattr = isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setattr"
        if is_setattr and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            yield node.lineno, node.args[1].value


def test_only_the_publishing_service_changes_what_patients_see():
    """No code but content/publishing.py sets the live version, the publishing state or the review.
    (The admin's form edits next_review_due only for clinical reviewers; save_draft checks it.)"""
    offenders = []
    for app in ("core", "accounts", "content", "conditions", "inquiries", "clinic_site"):
        for path in (ROOT / app).rglob("*.py"):
            # publishing.py is the service; upgrades.py holds the migrations' data steps.
            if "migrations" in path.parts or path.name in ("publishing.py", "upgrades.py"):
                continue
            for line, attribute in _assignments(path):
                if attribute in LIVE_FIELDS:
                    offenders.append(f"{path.relative_to(ROOT)}:{line} sets {attribute}")
    assert offenders == []

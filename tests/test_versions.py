"""Versioned publishing: what patients read is exactly a published version, and a review vouches for one
version. Each test here is one way the first editor let a draft or a review leak onto the public page."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone
from test_editing import admin_data, change_url, review_url

from conditions.models import Condition, EvidenceLevel
from content import publishing
from content.models import Page


@pytest.fixture
def faq(authored):
    """A live page with a next page and related pages, reviewed and not due for a while."""
    page = Page.objects.get(slug="faq")
    page.next_review_due = timezone.localdate() + timedelta(days=200)
    publishing.save_draft(document=page, user=None)
    publishing.publish(document=page, user=None)
    return page


def _public(client, url):
    client.logout()
    return client.get(url)


# 1. A draft save changes nothing patients see ---------------------------------------------------------


def test_an_editors_draft_save_leaves_title_relations_order_and_address_alone(
    client, content_editor, authored
):
    faq = Page.objects.published().exclude(next_page=None).exclude(related=None).first()
    address = faq.get_absolute_url()
    before = _public(client, address).content.decode()
    order_before = [p.pk for p in _public(client, "/learn/").context["object_list"]]
    old_related = list(faq.live["relations"]["related"])
    others = list(Page.objects.exclude(pk=faq.pk).exclude(pk__in=old_related)[:2])
    client.force_login(content_editor)
    response = client.post(
        change_url(faq),
        admin_data(
            faq,
            title="A draft title",
            slug="renamed-by-an-editor",
            nav_order=1,
            related=[p.pk for p in others],
            next_page=others[0].pk,
            opened_version=faq.version,
            _continue="Save draft",
        ),
    )
    assert response.status_code == 302
    faq.refresh_from_db()
    assert faq.title == "A draft title" and faq.nav_order == 1
    assert faq.get_absolute_url() == address  # the address is not in an editor's form: POST ignored
    after = _public(client, address)
    assert after.status_code == 200
    text = after.content.decode()
    assert "A draft title" not in text
    assert [p.pk for p in after.context["related"]] == [
        p.pk for p in Page.objects.published().filter(pk__in=old_related)
    ]
    assert after.context["next_page"].pk == faq.live["relations"]["next_page"] != others[0].pk
    for other in others:
        if other.pk not in old_related:
            assert f'href="{other.get_absolute_url()}"' not in text.split('class="related"')[-1]
    assert [p.pk for p in _public(client, "/learn/").context["object_list"]] == order_before
    assert before.count("How do I") == text.count("How do I")


def test_changing_the_address_needs_the_publish_permission(faq, content_editor):
    faq.slug = "somewhere-else"
    with pytest.raises(publishing.NotAllowed, match="address"):
        publishing.save_draft(document=faq, user=content_editor)
    assert Page.objects.get(pk=faq.pk).slug == "faq"


def test_a_renamed_page_keeps_its_old_address_until_published_then_redirects_for_good(
    client, faq, clinical_reviewer
):
    faq.slug = "questions"
    publishing.save_draft(document=faq, user=clinical_reviewer)
    assert _public(client, "/learn/faq/").status_code == 200  # saved, not published: nothing moved
    assert _public(client, "/learn/questions/").status_code == 404
    publishing.publish(document=faq, user=clinical_reviewer)
    moved = _public(client, "/learn/faq/?from=bookmark")
    assert moved.status_code == 301 and moved["Location"] == "/learn/questions/"
    assert _public(client, "/learn/questions/").status_code == 200
    faq.slug = "common-questions"
    publishing.save_draft(document=faq, user=clinical_reviewer)
    publishing.publish(document=faq, user=clinical_reviewer)
    for old in ("/learn/faq/", "/learn/questions/"):  # every old address, not only the last one
        response = _public(client, old)
        assert response.status_code == 301 and response["Location"] == "/learn/common-questions/"


def test_a_link_to_a_moved_page_still_counts_as_live(faq, clinical_reviewer, authored):
    faq.slug = "questions"
    publishing.save_draft(document=faq, user=clinical_reviewer)
    publishing.publish(document=faq, user=clinical_reviewer)
    glossary = Page.objects.get(slug="glossary")
    glossary.body += "\n\nSee [our questions](/learn/faq/)."
    publishing.save_draft(document=glossary, user=None)
    publishing.publish(document=glossary, user=None)  # no LinksBroken: the old address redirects


def test_a_moved_page_that_is_taken_down_does_not_redirect(client, faq, clinical_reviewer):
    faq.slug = "questions"
    publishing.save_draft(document=faq, user=clinical_reviewer)
    publishing.publish(document=faq, user=clinical_reviewer)
    publishing.unpublish(document=faq, user=clinical_reviewer)
    assert _public(client, "/learn/faq/").status_code == 404


def test_a_new_page_may_take_a_freed_address_and_the_redirect_gives_way(client, faq, clinical_reviewer):
    faq.slug = "questions"
    publishing.save_draft(document=faq, user=clinical_reviewer)
    publishing.publish(document=faq, user=clinical_reviewer)
    newcomer = Page.objects.create(title="New FAQ", slug="faq", summary="S", body="## New?\n\nYes.")
    publishing.publish(document=newcomer, user=None)
    response = _public(client, "/learn/faq/")
    assert response.status_code == 200 and "New FAQ" in response.content.decode()


def test_a_condition_keeps_its_live_evidence_level_while_the_draft_changes(client, authored, content_editor):
    condition = Condition.objects.get(slug="ocd")
    live_level = condition.live["evidence_level"]
    condition.evidence_level = "fda-approved" if live_level != "fda-approved" else "early-research"
    publishing.save_draft(document=condition, user=content_editor)
    response = _public(client, condition.get_absolute_url())
    assert response.context["evidence"]["label"] == EvidenceLevel(live_level).label


# 2. A review belongs to a version ------------------------------------------------------------------------


def test_reviewing_a_draft_does_not_change_the_live_pages_review_line(client, faq, clinical_reviewer):
    faq.body += "\n\nA new paragraph the reviewer reads."
    publishing.save_draft(document=faq, user=clinical_reviewer)
    publishing.mark_reviewed(document=faq, user=clinical_reviewer)
    live = _public(client, "/learn/faq/").content.decode()
    assert "Last reviewed" not in live and "Ana Reyes" not in live
    publishing.publish(document=faq, user=clinical_reviewer)
    live = _public(client, "/learn/faq/").content.decode()
    assert "Last reviewed" in live and "Ana Reyes, MD, psychiatrist" in live


def test_text_changed_after_the_review_is_shown_as_not_reviewed_yet(client, faq, clinical_reviewer):
    publishing.mark_reviewed(document=faq, user=clinical_reviewer)
    assert "Last reviewed" in _public(client, "/learn/faq/").content.decode()
    faq.summary = "A different promise."
    publishing.save_draft(document=faq, user=clinical_reviewer)
    publishing.publish(document=faq, user=clinical_reviewer, confirm_overdue=True)
    live = _public(client, "/learn/faq/").content.decode()
    assert "Last reviewed" not in live
    assert "The current text has not been reviewed yet." in live
    assert "lastReviewed" not in live  # nor claimed to search engines


def test_a_review_of_a_draft_nobody_read_is_not_mentioned_on_the_live_page(client, faq, clinical_reviewer):
    faq.body += "\n\nA draft paragraph."
    publishing.save_draft(document=faq, user=clinical_reviewer)
    publishing.mark_reviewed(document=faq, user=clinical_reviewer)
    live = _public(client, "/learn/faq/").content.decode()
    assert "earlier version" not in live and "not yet been reviewed" in live


def test_line_endings_alone_do_not_unreview_a_page(faq, clinical_reviewer):
    publishing.mark_reviewed(document=faq, user=clinical_reviewer)
    faq.body = faq.body.replace("\n", "\r\n")
    publishing.save_draft(document=faq, user=clinical_reviewer)
    stored = Page.objects.get(pk=faq.pk)
    assert "\r" not in stored.body and stored.draft_review is not None


def test_a_publisher_who_is_not_a_clinical_reviewer_publishes_only_reviewed_text(
    faq, clinical_reviewer, django_user_model
):
    publisher = django_user_model.objects.create_user("publisher", is_staff=True)
    publisher.user_permissions.set(Permission.objects.filter(codename__in=["change_page", "publish_page"]))
    publisher = django_user_model.objects.get(pk=publisher.pk)
    faq.body += "\n\nUnreviewed words."
    publishing.save_draft(document=faq, user=publisher)
    with pytest.raises(publishing.NotAllowed, match="changed since its last clinical review"):
        publishing.publish(document=faq, user=publisher)
    publishing.mark_reviewed(document=faq, user=clinical_reviewer)
    publishing.publish(document=faq, user=publisher)
    assert "Unreviewed words." in Page.objects.get(pk=faq.pk).live["body_html"]


def test_a_review_or_publish_of_a_version_the_reviewer_did_not_see_is_refused(faq, clinical_reviewer):
    opened = faq.version
    faq.body += "\n\nSlipped in after the reviewer opened the page."
    publishing.save_draft(document=faq, user=None)
    with pytest.raises(publishing.VersionChanged):
        publishing.mark_reviewed(document=faq, user=clinical_reviewer, expected_version=opened)
    with pytest.raises(publishing.VersionChanged):
        publishing.publish(document=faq, user=clinical_reviewer, expected_version=opened)
    assert faq.last_review is None


def test_a_review_screen_post_without_a_version_does_nothing(client, faq, clinical_reviewer):
    client.force_login(clinical_reviewer)
    for version in ({}, {"version": "abc"}, {"version": "-1"}):
        response = client.post(review_url(faq), {"action": "review_publish", **version}, follow=True)
        assert (
            response.status_code == 200 and "changed while you were reading it" in response.content.decode()
        )
    assert faq.last_review is None


def test_only_clinical_reviewers_change_next_review_due(client, faq, content_editor, clinical_reviewer):
    client.force_login(content_editor)
    form = client.get(change_url(faq)).content.decode()
    assert 'name="next_review_due"' not in form
    client.post(
        change_url(faq),
        admin_data(faq, next_review_due="2030-01-01", opened_version=faq.version, _continue="x"),
    )
    assert Page.objects.get(pk=faq.pk).next_review_due != datetime(2030, 1, 1).date()
    faq.next_review_due = datetime(2030, 1, 1).date()
    with pytest.raises(publishing.NotAllowed):
        publishing.save_draft(document=faq, user=content_editor)
    client.force_login(clinical_reviewer)
    assert 'name="next_review_due"' in client.get(change_url(faq)).content.decode()


def test_the_review_screen_shows_exactly_the_version_and_the_words_that_changed(
    client, faq, clinical_reviewer
):
    publishing.mark_reviewed(document=faq, user=clinical_reviewer)
    faq.body = faq.body.replace("\n\n", "\n\nA **brand** new sentence here.\n\n", 1)
    publishing.save_draft(document=faq, user=clinical_reviewer)
    client.force_login(clinical_reviewer)
    screen = client.get(review_url(faq)).content.decode()
    assert f"Draft version {faq.version}" in screen
    since_review = screen.split('id="since-review-title"')[1].split("</section>")[0]
    assert "brand" in since_review and "**" not in since_review
    assert f'name="version" value="{faq.version}"' in screen
    assert "Mark this version reviewed" in screen and "Publish this version now" in screen


# 3. Lists staff work from ------------------------------------------------------------------------------


def test_the_admin_home_lists_are_complete_or_say_how_many_more(client, admin_user, authored):
    for number in range(6):
        Page.objects.create(title=f"Extra {number}", slug=f"extra-{number}", summary="S", body="B")
    Page.objects.update(next_review_due=None)  # every page is overdue (never reviewed)
    total = Page.objects.count()
    assert total > 10
    client.force_login(admin_user)
    home = client.get("/admin/").content.decode()
    overdue = home.split('id="work-overdue"')[1].split('id="work-soon"')[0]
    assert overdue.count("/admin/content/page/") >= 10
    assert f"{total - 10} more — see all {total} pages" in overdue
    assert "/admin/content/page/?review=overdue" in overdue
    listed = client.get("/admin/content/page/", {"review": "overdue"}).context["cl"].result_count
    assert listed == total


def test_waiting_for_review_lists_drafts_with_changes(client, admin_user, faq, content_editor):
    client.force_login(admin_user)
    home = client.get("/admin/").content.decode()
    assert change_url(faq) not in home.split('id="work-waiting"')[1].split('id="work-overdue"')[0]
    faq.summary = "Changed by an editor."
    publishing.save_draft(document=faq, user=content_editor)
    home = client.get("/admin/").content.decode()
    assert change_url(faq) in home.split('id="work-waiting"')[1].split('id="work-overdue"')[0]


def test_a_relation_change_alone_puts_a_draft_on_the_waiting_list(client, content_editor, faq):
    client.force_login(content_editor)
    client.post(change_url(faq), admin_data(faq, related=[], opened_version=faq.version, _continue="x"))
    assert Page.objects.get(pk=faq.pk).draft_changes


# 6. Nothing typed is lost ---------------------------------------------------------------------------------


def test_a_second_save_from_an_older_form_is_refused_with_the_text_kept(client, faq, content_editor, editor):
    opened = faq.version
    client.force_login(editor)
    client.post(
        change_url(faq),
        admin_data(faq, body="## First?\n\nThe first editor's text.", opened_version=opened, _continue="x"),
    )
    client.force_login(content_editor)
    mine = "## Second?\n\nThe second editor's careful text."
    response = client.post(change_url(faq), admin_data(faq, body=mine, opened_version=opened, _continue="x"))
    assert response.status_code == 200  # the form again, not a redirect
    page = response.content.decode()
    assert "someone else saved" in page and "The second editor&#x27;s careful text." in page
    assert f"/admin/content/page/{faq.pk}/history/" in page
    assert "The first editor's text." in Page.objects.get(pk=faq.pk).body


def _opened_version(client, page):
    """The version as the change form renders it (what a browser would post back)."""
    form = client.get(change_url(page)).content.decode()
    return int(re.search(r'<input type="hidden" name="opened_version" value="(\d+)"', form).group(1))


def test_two_editors_in_browsers_cannot_overwrite_each_other(client, faq, content_editor, editor):
    """The form itself carries the version: no test-only field posted by hand."""
    first, second = client, type(client)()  # two browsers: the staff test client, twice
    first.force_login(editor)
    second.force_login(content_editor)
    opened_first, opened_second = _opened_version(first, faq), _opened_version(second, faq)
    saved = first.post(
        change_url(faq),
        admin_data(faq, body="## One?\n\nFirst text.", opened_version=opened_first, _continue="x"),
    )
    assert saved.status_code == 302
    refused = second.post(
        change_url(faq),
        admin_data(faq, body="## Two?\n\nSecond text.", opened_version=opened_second, _continue="x"),
    )
    assert refused.status_code == 200 and "someone else saved" in refused.content.decode()
    assert "First text." in Page.objects.get(pk=faq.pk).body


def test_the_service_refuses_a_stale_save_too(faq):
    stale = Page.objects.get(pk=faq.pk)
    faq.body += "\n\nSaved first."
    publishing.save_draft(document=faq, user=None, expected_version=faq.version)
    stale.body += "\n\nSaved second, from an old copy."
    with pytest.raises(publishing.EditConflict):
        publishing.save_draft(document=stale, user=None, expected_version=stale.version)


# 7. Scheduled publishing -----------------------------------------------------------------------------


def test_a_scheduled_version_goes_live_at_its_time_and_not_before(client, faq, clinical_reviewer):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        faq.body += "\n\nNew hours from December."
        publishing.save_draft(document=faq, user=clinical_reviewer)
        publishing.mark_reviewed(document=faq, user=clinical_reviewer)
        publishing.schedule(document=faq, user=clinical_reviewer, publish_at=start + timedelta(hours=1))
        faq.body += "\n\nA later edit that nobody reviewed."
        publishing.save_draft(document=faq, user=clinical_reviewer)
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        call_command("publish_scheduled")
        assert "New hours from December." not in _public(client, "/learn/faq/").content.decode()
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        call_command("publish_scheduled")
        live = _public(client, "/learn/faq/").content.decode()
    assert "New hours from December." in live
    assert "A later edit that nobody reviewed." not in live  # the scheduled version, not the draft
    assert "Last reviewed" in live
    stored = Page.objects.get(pk=faq.pk)
    assert stored.publish_at is None and stored.draft_changes


def test_a_page_comes_down_at_its_time(client, faq, clinical_reviewer):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        publishing.schedule(document=faq, user=clinical_reviewer, unpublish_at=start + timedelta(days=1))
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        call_command("publish_scheduled")
        assert _public(client, "/learn/faq/").status_code == 200
    with time_machine.travel(start + timedelta(days=1, minutes=1), tick=False):
        call_command("publish_scheduled")
        assert _public(client, "/learn/faq/").status_code == 404


def test_only_a_reviewed_version_can_be_scheduled(faq, clinical_reviewer):
    faq.body += "\n\nNot reviewed."
    publishing.save_draft(document=faq, user=clinical_reviewer)
    with pytest.raises(publishing.NotAllowed, match="reviewed"):
        publishing.schedule(
            document=faq, user=clinical_reviewer, publish_at=timezone.now() + timedelta(hours=1)
        )


def test_a_scheduled_version_whose_links_broke_does_not_go_live(client, faq, clinical_reviewer, authored):
    glossary = Page.objects.get(slug="glossary")
    faq.body += "\n\nSee [the glossary](/learn/glossary/)."
    publishing.save_draft(document=faq, user=clinical_reviewer)
    publishing.mark_reviewed(document=faq, user=clinical_reviewer)
    publishing.schedule(
        document=faq, user=clinical_reviewer, publish_at=timezone.now() + timedelta(minutes=5)
    )
    publishing.unpublish(document=glossary, user=clinical_reviewer)
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        call_command("publish_scheduled")
    stored = Page.objects.get(pk=faq.pk)
    assert "the glossary" not in stored.live["body_html"]
    assert "links lead nowhere" in stored.scheduled["failed"] and stored.publish_at is None


def test_scheduling_from_the_review_screen(client, faq, clinical_reviewer):
    client.force_login(clinical_reviewer)
    publishing.mark_reviewed(document=faq, user=clinical_reviewer)
    when = timezone.localtime() + timedelta(days=2)
    response = client.post(
        review_url(faq),
        {
            "action": "schedule",
            "version": faq.version,
            "publish_at_0": when.strftime("%Y-%m-%d"),
            "publish_at_1": when.strftime("%H:%M"),
        },
        follow=True,
    )
    assert "goes live" in response.content.decode()
    assert Page.objects.get(pk=faq.pk).publish_at is not None
    bad = client.post(
        review_url(faq), {"action": "schedule", "version": faq.version, "publish_at_0": "next week"}
    )
    assert bad.status_code == 200 and "Enter a valid date" in bad.content.decode()
    far = client.post(
        review_url(faq),
        {
            "action": "schedule",
            "version": faq.version,
            "unpublish_at_0": "9999-12-31",
            "unpublish_at_1": "23:59",
        },
    )
    assert far.status_code == 200 and "within the next 5 years" in far.content.decode()


def test_a_version_whose_review_is_overdue_cannot_be_scheduled(faq, clinical_reviewer):
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        publishing.mark_reviewed(document=faq, user=clinical_reviewer)
    with pytest.raises(publishing.NotAllowed, match="overdue"):
        publishing.schedule(
            document=faq, user=clinical_reviewer, publish_at=timezone.now() + timedelta(hours=1)
        )


# 8. Only people who edit see drafts ---------------------------------------------------------------------


def test_the_front_desk_and_unverified_editors_see_the_live_version(client, faq, front_desk, content_editor):
    faq.title = "Draft-only title"
    publishing.save_draft(document=faq, user=content_editor)
    client.force_login(front_desk)
    assert "Draft-only title" not in client.get("/learn/faq/").content.decode()
    client.force_login(content_editor, verified=False)
    assert "Draft-only title" not in client.get("/learn/faq/").content.decode()
    client.force_login(content_editor)
    assert "Draft-only title" in client.get("/learn/faq/").content.decode()


# 10. Limits that keep the admin up ---------------------------------------------------------------------


def test_the_list_uses_the_stored_check_and_never_rechecks_rows(client, admin_user, authored, monkeypatch):
    client.force_login(admin_user)

    def fail(*args, **kwargs):
        raise AssertionError("the list re-ran the plain-language check")

    monkeypatch.setattr("content.admin.check_markdown", fail)
    monkeypatch.setattr("content.models.check_markdown", fail)
    response = client.get("/admin/content/page/")
    assert response.status_code == 200
    first = response.context["cl"].result_list[0]
    assert first.check_results["grade"] > 0


def test_the_edit_page_says_plainly_that_it_shows_a_draft(client, faq, content_editor):
    client.force_login(content_editor)
    assert "patients see this version" in client.get(change_url(faq)).content.decode()
    faq.summary = "A change."
    publishing.save_draft(document=faq, user=content_editor)
    page = client.get(change_url(faq)).content.decode()
    assert f"This is the draft (version {faq.version}). Patients see the live version" in page

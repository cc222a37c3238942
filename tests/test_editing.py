"""Editing a clinic can trust: drafts, publishing, clinical review and plain-language checks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conditions.models import Condition
from content.checks import check_markdown
from content.models import Page


def admin_data(page, **changes):
    """The page's change form as the admin would post it."""
    data = {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "body": page.body,
        "references": page.references,
        "nav_order": page.nav_order,
        "related": [p.pk for p in page.related.all()],
        "next_page": page.next_page_id or "",
        "next_review_due": page.next_review_due.isoformat() if page.next_review_due else "",
        "opened_version": page.version,
    }
    data.update(changes)
    return data


def change_url(page):
    return f"/admin/content/page/{page.pk}/change/"


def review_url(page):
    return f"/admin/content/page/{page.pk}/review/"


def act(client, page, action, **extra):
    """Press a button on the review screen for the page's current version."""
    page.refresh_from_db()
    return client.post(review_url(page), {"action": action, "version": page.version, **extra}, follow=True)


@pytest.fixture
def live_page(authored):
    page = Page.objects.get(slug="faq")
    page.next_review_due = timezone.localdate() + timedelta(days=200)
    page.save()
    return page


# Drafts -------------------------------------------------------------------------------------------


def test_saving_a_draft_changes_nothing_patients_see(client, editor, live_page):
    client.force_login(editor)
    response = client.post(
        change_url(live_page),
        admin_data(live_page, body="## New answer?\n\nDraft words.", _continue="Save draft"),
    )
    assert response.status_code == 302
    client.logout()
    public = client.get(live_page.get_absolute_url()).content.decode()
    assert "Draft words." not in public and "Draft — patients cannot see this" not in public
    assert "How fast does it work?" in public


def test_staff_see_the_draft_on_its_public_address_with_a_banner(client, editor, live_page):
    live_page.body = "## New answer?\n\nDraft words."
    live_page.save()
    client.force_login(editor)
    draft = client.get(live_page.get_absolute_url()).content.decode()
    assert "Draft words." in draft and "<strong>Draft — patients cannot see this.</strong>" in draft
    live = client.get(live_page.get_absolute_url() + "?version=live").content.decode()
    assert "Draft words." not in live and "Draft — patients cannot see this" not in live


def test_a_never_published_draft_is_404_for_visitors(client, draft_page, editor):
    assert client.get(draft_page.get_absolute_url()).status_code == 404
    client.force_login(editor)
    assert "Draft — patients cannot see this" in client.get(draft_page.get_absolute_url()).content.decode()


def test_a_draft_title_stays_out_of_lists_until_published(client, live_page):
    live_page.title = "A draft title"
    live_page.save()
    for url in ["/", "/learn/", "/learn/what-is-ketamine-therapy/"]:
        assert "A draft title" not in client.get(url).content.decode()


# Publishing -----------------------------------------------------------------------------------------


def test_publishing_makes_the_draft_public(client, clinical_reviewer, live_page):
    client.force_login(clinical_reviewer)
    response = client.post(
        change_url(live_page),
        admin_data(live_page, body="## Updated?\n\nNew words.", _review="Save and review"),
    )
    assert response.status_code == 302 and response["Location"] == review_url(live_page)
    assert "New words." in client.get(review_url(live_page)).content.decode()
    act(client, live_page, "publish")
    client.logout()
    assert "New words." in client.get(live_page.get_absolute_url()).content.decode()


def test_an_editor_cannot_publish(client, editor, live_page):
    client.force_login(editor)
    client.post(change_url(live_page), admin_data(live_page, body="## Sneaky?\n\nUnreviewed.", _review="x"))
    assert "Publish this version now" not in client.get(review_url(live_page)).content.decode()
    refused = act(client, live_page, "publish").content.decode()
    assert "Only clinical reviewers can publish" in refused
    client.logout()
    assert "Unreviewed." not in client.get(live_page.get_absolute_url()).content.decode()
    live_page.refresh_from_db()
    assert "Unreviewed." in live_page.body  # the draft itself was kept


def test_the_editor_is_offered_no_publish_button(client, editor, clinical_reviewer, live_page):
    client.force_login(editor)
    assert 'name="_review"' not in client.get(change_url(live_page)).content.decode()
    client.force_login(clinical_reviewer)
    assert 'name="_review"' in client.get(change_url(live_page)).content.decode()


def test_publishing_with_an_overdue_review_asks_for_confirmation(client, clinical_reviewer, authored):
    page = Page.objects.get(slug="glossary")  # never reviewed
    client.force_login(clinical_reviewer)
    response = client.post(change_url(page), admin_data(page, body="## A to E?\n\nChanged.", _review="x"))
    assert response["Location"] == review_url(page)
    confirm = client.get(response["Location"]).content.decode()
    assert "This page has never been clinically reviewed." in confirm
    assert "Publish even though the review is overdue" in confirm
    assert "Confirm to publish it" in act(client, page, "publish").content.decode()
    client.logout()
    assert "Changed." not in client.get(page.get_absolute_url()).content.decode()
    client.force_login(clinical_reviewer)
    act(client, page, "publish", confirm_overdue="1")
    client.logout()
    assert "Changed." in client.get(page.get_absolute_url()).content.decode()


def test_broken_internal_links_block_publishing(client, clinical_reviewer, live_page, draft_page):
    client.force_login(clinical_reviewer)
    body = "## Where?\n\nSee [nothing](/learn/no-such-page/) and [draft](/learn/a-draft-page/)."
    client.post(change_url(live_page), admin_data(live_page, body=body, _review="x"))
    text = act(client, live_page, "publish").content.decode()
    assert "was not published: fix these links first" in text
    client.logout()
    assert "See nothing" not in client.get(live_page.get_absolute_url()).content.decode()


def test_saving_with_problems_warns_and_saves(client, editor, live_page):
    client.force_login(editor)
    body = "## Why?\n\nIt is a guaranteed cure with no side effects."
    response = client.post(
        change_url(live_page), admin_data(live_page, body=body, _continue="x"), follow=True
    )
    assert "Saved, with" in response.content.decode() and "guaranteed" in response.content.decode()
    live_page.refresh_from_db()
    assert live_page.body == body


def test_unpublishing_hides_the_page(client, clinical_reviewer, live_page):
    client.force_login(clinical_reviewer)
    client.post("/admin/content/page/", {"action": "unpublish_selected", "_selected_action": [live_page.pk]})
    client.logout()
    assert client.get(live_page.get_absolute_url()).status_code == 404


# Clinical review --------------------------------------------------------------------------------------


def test_marking_reviewed_records_who_and_when_and_sets_the_next_date(client, clinical_reviewer, live_page):
    client.force_login(clinical_reviewer)
    act(client, live_page, "review")
    live_page.refresh_from_db()
    today = timezone.localdate()
    review = live_page.last_review
    assert review.reviewed_on == today and live_page.next_review_due == today + timedelta(days=365)
    assert review.reviewer == clinical_reviewer and review.version == live_page.version
    body = client.get(live_page.get_absolute_url()).content.decode()
    assert f"Last reviewed {today:%B} {today.day}, {today.year} by Ana Reyes, MD, psychiatrist." in body


def test_an_editor_cannot_mark_reviewed(client, editor, live_page):
    client.force_login(editor)
    assert "Only clinical reviewers" in act(client, live_page, "review").content.decode()
    assert live_page.last_review is None


@pytest.fixture
def review_dates(authored):
    today = timezone.localdate()
    Page.objects.update(next_review_due=today + timedelta(days=400))
    Condition.objects.update(next_review_due=today + timedelta(days=400))
    pages = dict(
        zip(
            ["glossary", "faq", "what-to-expect", "insurance-and-cost", "how-ketamine-works"],
            [today - timedelta(days=1), None, today, today + timedelta(days=30), today + timedelta(days=31)],
            strict=True,
        )
    )
    for slug, due in pages.items():
        Page.objects.filter(slug=slug).update(next_review_due=due)
    return pages


def test_review_filters_return_exactly_the_overdue_and_due_soon_pages(client, admin_user, review_dates):
    client.force_login(admin_user)
    overdue = client.get("/admin/content/page/", {"review": "overdue"}).context["cl"].result_list
    soon = client.get("/admin/content/page/", {"review": "soon"}).context["cl"].result_list
    assert {p.slug for p in overdue} == {"glossary", "faq"}
    assert {p.slug for p in soon} == {"what-to-expect", "insurance-and-cost"}


def test_admin_home_lists_what_is_due_for_review(client, admin_user, review_dates):
    client.force_login(admin_user)
    body = client.get("/admin/").content.decode()
    overdue = body.split('id="work-overdue"')[1].split('id="work-soon"')[0]
    soon = body.split('id="work-soon"')[1].split("</div>")[0]
    for slug, section in [
        ("glossary", overdue),
        ("faq", overdue),
        ("what-to-expect", soon),
        ("insurance-and-cost", soon),
    ]:
        assert f"/admin/content/page/{Page.objects.get(slug=slug).pk}/change/" in section
    assert "How does ketamine work?" not in overdue + soon


# Plain-language checks -------------------------------------------------------------------------------


def test_check_measures_grade_words_and_reading_time():
    report = check_markdown("## Is it safe?\n\n" + "The cat sat on the mat. " * 100)
    assert report.grade < 3 and report.words == 603 and report.reading_minutes == 4


def test_check_grades_each_section():
    hard = (
        "Pharmacological interventions necessitate comprehensive multidisciplinary evaluation "
        "considering contraindications, comorbidities and idiosyncratic physiological characteristics."
    )
    report = check_markdown(
        f"Easy words here. We help you.\n\n## Is this easy?\n\nYes it is.\n\n## Is this hard?\n\n{hard}"
    )
    grades = {section.heading: section.grade for section in report.sections}
    assert set(grades) == {"Introduction", "Is this easy?", "Is this hard?"}
    assert grades["Is this easy?"] <= 8 < grades["Is this hard?"]
    assert [s.heading for s in report.hard_sections] == ["Is this hard?"]


def test_check_lists_the_three_longest_sentences():
    text = (
        "Short one. "
        + "This sentence has exactly twelve words in it to be long enough. "
        + "Tiny. "
        + "A medium sentence with seven words here. "
        + ("word " * 25).strip()
        + "."
    )
    longest = check_markdown(text).longest_sentences
    assert len(longest) == 3 and len(longest[0].split()) == 25
    assert check_markdown(text).long_sentences == [longest[0]]


def test_check_finds_words_we_do_not_use():
    report = check_markdown("Ketamine is a breakthrough and a guaranteed, instant cure with no side effects.")
    assert report.banned_phrases == ["breakthrough", "cure", "guaranteed", "instant", "no side effects"]


def test_check_finds_images_without_alt_text():
    report = check_markdown(
        "![](/media/uploads/a.png) ![A calm room](/media/uploads/b.png) ![ ](/media/c.png)"
    )
    assert report.images_without_alt == ["/media/uploads/a.png", "/media/c.png"]


def test_an_uploaded_image_is_flagged_until_its_prompt_is_replaced_by_a_description():
    uploaded = "![Describe this image](/media/uploads/a.png)"
    assert check_markdown(uploaded).images_without_alt == ["/media/uploads/a.png"]
    assert "no description" in check_markdown(uploaded).problems[0]
    assert check_markdown("![A nurse checks blood pressure](/media/uploads/a.png)").images_without_alt == []


def test_check_finds_links_to_missing_and_unpublished_documents(authored, draft_page):
    report = check_markdown(
        "[a](/learn/faq/) [b](/learn/not-a-page/) [c](/learn/a-draft-page/) [d](/conditions/nope/) "
        "[e](/nowhere/) [f](https://www.fda.gov/) [g](/contact/) [h](/conditions/ptsd/#why)"
    )
    assert {link.href: link.reason for link in report.broken_links} == {
        "/learn/not-a-page/": "there is no page with this address",
        "/learn/a-draft-page/": "this page is not published",
        "/conditions/nope/": "there is no condition with this address",
        "/nowhere/": "there is no such page",
    }
    assert report.blocks_publishing


def test_the_edit_page_and_the_list_show_the_same_check(client, admin_user, live_page):
    live_page.body = "## Why?\n\nA guaranteed cure. ![](/x.png)"
    live_page.save()
    client.force_login(admin_user)
    report = check_markdown(live_page.body)
    edit = client.get(change_url(live_page)).content.decode()
    assert f"Reading grade {report.grade:.1f}" in edit
    for problem in report.problems:
        assert problem.replace("“", "&ldquo;") in edit or problem in edit
    listing = client.get("/admin/content/page/").content.decode()
    row = listing.split(f'href="/admin/content/page/{live_page.pk}/change/')[1].split("</tr>")[0]
    assert f'<td class="field-check_problems">{len(report.problems)}</td>' in row


def test_a_clinical_reviewer_publishes_a_condition(client, clinical_reviewer, authored):
    condition = Condition.objects.get(slug="ocd")
    condition.next_review_due = timezone.localdate() + timedelta(days=100)
    condition.body += "\n\nA new closing line."
    condition.save()
    assert "A new closing line." not in client.get(condition.get_absolute_url()).content.decode()
    client.force_login(clinical_reviewer)
    condition.refresh_from_db()
    client.post(
        f"/admin/conditions/condition/{condition.pk}/review/",
        {"action": "publish", "version": condition.version},
    )
    client.logout()
    assert "A new closing line." in client.get(condition.get_absolute_url()).content.decode()


def test_the_check_updates_while_writing(client, editor):
    client.force_login(editor)
    response = client.post("/markdownx/check/", {"content": "## Why?\n\nA guaranteed cure."})
    assert response.status_code == 200
    assert "“guaranteed” is on the list of words we do not use." in response.content.decode()


def test_only_editors_may_use_the_live_check(client, front_desk):
    assert client.post("/markdownx/check/", {"content": "x"}).status_code == 403
    client.force_login(front_desk)
    assert client.post("/markdownx/check/", {"content": "x"}).status_code == 403


def test_text_too_costly_to_render_is_refused_with_a_message_and_kept(client, editor, live_page):
    """Thousands of "[" make Python-Markdown take seconds to minutes: the form says why and keeps the text."""
    body = live_page.body + "\n\n" + "[" * 5000
    client.force_login(editor)
    response = client.post(change_url(live_page), admin_data(live_page, body=body, _continue="Save draft"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "square brackets" in page and "at most 1,000" in page  # explained ...
    assert "[" * 5000 in page  # ... and nothing typed is lost
    assert "[[[" not in Page.objects.get(pk=live_page.pk).body


@pytest.mark.parametrize("url", ["/markdownx/markdownify/", "/markdownx/check/"])
def test_the_preview_and_check_refuse_text_too_costly_to_render_at_once(client, editor, url):
    import time

    client.force_login(editor)
    started = time.monotonic()
    response = client.post(url, {"content": "[" * 15000})
    assert response.status_code == 400 and "square brackets" in response.content.decode()
    assert time.monotonic() - started < 2

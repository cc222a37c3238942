"""load_content: creates what is missing, updates what staff left alone, never overwrites a staff edit."""

import pytest
from django.core.management import CommandError, call_command

from conditions.models import Condition
from content import loading, publishing
from content.models import ClinicProfile, Page


def load(**options):
    call_command("load_content", verbosity=0, **options)


def test_every_authored_file_loads_published_with_references(authored):
    assert Page.objects.published().count() == 9
    assert Condition.objects.published().count() == 9
    for document in [*Page.objects.all(), *Condition.objects.all()]:
        assert document.body_html and document.references_html, document.slug
        assert document.references_html.count("<li>") >= 2, document.slug


def test_relations_from_front_matter(authored):
    page = Page.objects.get(slug="what-is-ketamine-therapy")
    assert page.next_page.slug == "how-ketamine-works"
    assert page.related.exists()
    assert Page.objects.get(slug="faq").next_page is None  # "next: contact"
    assert Condition.objects.get(slug="ptsd").related_pages.filter(slug="side-effects-and-risks").exists()


def test_load_content_is_idempotent(authored):
    before = {(p.slug, p.body_html, p.updated) for p in Page.objects.all()}
    load()
    assert {(p.slug, p.body_html, p.updated) for p in Page.objects.all()} == before
    assert Page.objects.count() == 9 and Condition.objects.count() == 9


def test_a_staff_edit_is_never_overwritten(authored, capsys):
    page = Page.objects.get(slug="faq")
    page.body = "Our own answer, written by staff."
    page.save()
    call_command("load_content")
    page.refresh_from_db()
    assert page.body == "Our own answer, written by staff."
    assert "Our own answer" in page.body_html
    assert "kept staff edit: faq" in capsys.readouterr().out


def test_force_overwrites_a_staff_edit(authored):
    condition = Condition.objects.get(slug="ocd")
    condition.summary = "Staff summary"
    condition.save()
    load(force=True)
    condition.refresh_from_db()
    assert condition.summary != "Staff summary"
    assert not condition.is_edited


def test_an_untouched_document_follows_its_updated_file(authored):
    # As if the file had said something else when it was last loaded, and staff never touched it.
    page = Page.objects.get(slug="glossary")
    page.body = "An older version of the glossary."
    page.source_checksum = page.authored_checksum()
    page.save()
    load()
    page.refresh_from_db()
    assert page.body != "An older version of the glossary."
    assert "<dl>" in page.body_html


def test_a_deleted_document_is_created_again(authored):
    Page.objects.filter(slug="glossary").delete()
    load()
    assert Page.objects.filter(slug="glossary", published=True).exists()


def test_the_clinic_profile_is_created_once_and_never_changed(authored):
    profile = ClinicProfile.load()
    profile.name = "Our real name"
    profile.save()
    load(force=True)
    assert ClinicProfile.load().name == "Our real name"
    assert ClinicProfile.objects.count() == 1


@pytest.fixture
def pages_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "pages_directory", lambda model: tmp_path / model._meta.app_label)
    (tmp_path / "content").mkdir()
    (tmp_path / "conditions").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("---\ntitle: [unclosed\n---\nBody", "not valid YAML"),
        ("---\ntitle: Only a title\n---\nBody", "front matter lacks summary"),
        ("---\ntitle: T\nsummary: S\nnav_order: first\n---\nBody", "nav_order must be a whole number"),
        ("---\ntitle: T\nsummary: S\nrelated: [no-such-page]\n---\nBody", "unknown slugs ['no-such-page']"),
        ("---\ntitle: T\nsummary: S\nnext: nowhere\n---\nBody", "unknown slug 'nowhere'"),
        ("---\ntitle: T\nsummary: " + "x" * 300 + "\n---\nBody", "at most 200 characters"),
    ],
)
def test_a_broken_file_is_named_with_its_problem_and_nothing_is_half_loaded(db, pages_dir, text, problem):
    (pages_dir / "content" / "good.md").write_text("---\ntitle: Good\nsummary: Fine.\n---\nBody")
    (pages_dir / "content" / "broken.md").write_text(text)
    with pytest.raises(CommandError) as error:
        load()
    assert "broken.md" in str(error.value) and problem in str(error.value)
    assert not Page.objects.filter(slug="good").exists()


def test_a_bad_evidence_level_is_refused(db, pages_dir):
    (pages_dir / "conditions" / "x.md").write_text("---\nname: X\nsummary: S\nevidence: proven\n---\nBody")
    with pytest.raises(CommandError, match="x.md.*not a valid choice"):
        load()


def write_page(pages_dir, slug, *, title=None, body="Some text.", **front):
    """content/pages/<slug>.md in the temporary pages folder; extra front matter as keyword arguments."""
    lines = [f"title: {title or slug.replace('-', ' ').capitalize()}", "summary: A summary."]
    lines += [f"{name}: {value}" for name, value in front.items()]
    (pages_dir / "content" / f"{slug}.md").write_text("---\n" + "\n".join(lines) + f"\n---\n{body}\n")


def related_and_next(client, page):
    """The related pages and the "Read next" link patients see on the public page."""
    response = client.get(page.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    related = html.split('id="related-title"')[1].split("</nav>")[0] if 'id="related-title"' in html else ""
    shown = sorted(slug for slug in ("step-b", "step-c", "step-d") if f"/learn/{slug}/" in related)
    next_step = html.split('id="next-step-title"')[1].split("</section>")[0]
    return shown, next_step


def test_a_page_staff_created_is_never_overwritten_by_a_file_even_with_force(db, pages_dir, editor, client):
    page = Page(title="Our own page", slug="our-page", summary="Written in the admin.", body="Staff words.")
    publishing.save_draft(document=page, user=editor)
    publishing.publish(document=page, user=None)
    assert page.source_checksum == ""
    write_page(pages_dir, "our-page", title="The file's page", body="File words.")
    for force in (False, True):
        reports = loading.load_content(force=force)
        assert reports["pages"].kept == ["our-page"], force
        page.refresh_from_db()
        assert (page.title, page.body, page.source_checksum) == ("Our own page", "Staff words.", "")
        assert "Staff words." in client.get("/learn/our-page/").content.decode()


@pytest.mark.parametrize("text_changed", [False, True], ids=["links only", "links and text"])
def test_relations_follow_the_file_where_staff_left_them_and_go_live(
    db, pages_dir, editor, client, text_changed
):
    for slug in ("step-b", "step-c", "step-d"):
        write_page(pages_dir, slug)
    write_page(pages_dir, "step-a", related="[step-b]", next="step-b")
    write_page(pages_dir, "staff-linked", related="[step-b]", next="step-b")
    load()
    # Staff point one page elsewhere, changing nothing but its links (as the admin form saves them).
    staff_linked = Page.objects.get(slug="staff-linked")
    staff_linked.next_page = Page.objects.get(slug="step-d")
    publishing.save_draft(document=staff_linked, user=editor)
    staff_linked.related.set([Page.objects.get(slug="step-d")])
    publishing.publish(document=staff_linked, user=None)

    body = "Some newer text." if text_changed else "Some text."
    write_page(pages_dir, "step-a", body=body, related="[step-c, step-d]", next="step-c")
    write_page(pages_dir, "staff-linked", body=body, related="[step-c]", next="step-c")
    reports = loading.load_content()

    step_a = Page.objects.get(slug="step-a")
    assert sorted(step_a.related.values_list("slug", flat=True)) == ["step-c", "step-d"]
    assert step_a.next_page.slug == "step-c"
    assert "step-a" in reports["pages"].updated and "staff-linked" in reports["pages"].kept
    related, next_step = related_and_next(client, step_a)  # live, not only in the draft
    assert related == ["step-c", "step-d"] and "Read next: Step c" in next_step
    assert not step_a.has_unpublished_changes

    staff_linked.refresh_from_db()
    assert list(staff_linked.related.values_list("slug", flat=True)) == ["step-d"]
    assert staff_linked.next_page.slug == "step-d" and staff_linked.body == "Some text."
    related, next_step = related_and_next(client, staff_linked)
    assert related == ["step-d"] and "Read next: Step d" in next_step


def test_an_unpublished_untouched_page_gets_its_new_links_as_a_draft_only(db, pages_dir, clinical_reviewer):
    write_page(pages_dir, "step-b")
    write_page(pages_dir, "step-c")
    write_page(pages_dir, "step-a", next="step-b")
    load()
    step_a = Page.objects.get(slug="step-a")
    publishing.unpublish(document=step_a, user=clinical_reviewer)
    write_page(pages_dir, "step-a", next="step-c")
    load()
    step_a.refresh_from_db()
    assert step_a.next_page.slug == "step-c" and not step_a.published


def test_reviews_are_never_read_from_a_file(db, pages_dir, client):
    write_page(
        pages_dir,
        "reviewed-claim",
        last_reviewed="2025-01-15",
        next_review_due="2099-01-15",
        reviewer_name="Dr. Claimed Reviewer",
        reviewer_credentials="MD",
    )
    load()
    page = Page.objects.get(slug="reviewed-claim")
    assert getattr(page, "next_review_due", None) is None
    public = client.get(page.get_absolute_url()).content.decode()
    assert "Dr. Claimed Reviewer" not in public and "Last reviewed" not in public


def test_a_page_staff_moved_to_a_new_address_is_not_loaded_again_at_the_old_one(
    authored, clinical_reviewer, client
):
    """Renaming the faq to /learn/questions/ leaves a redirect; restarting the site must not bring the
    file's page back at /learn/faq/, nor stop because other files link to the old address."""
    page = Page.objects.get(slug="faq")
    page.slug = "questions"
    publishing.save_draft(document=page, user=clinical_reviewer)
    publishing.publish(document=page, user=clinical_reviewer, confirm_overdue=True)
    reports = loading.load_content()
    assert Page.objects.filter(slug="faq").count() == 0
    assert any(kept.startswith("faq") for kept in reports["pages"].kept)
    response = client.get("/learn/faq/")
    assert response.status_code == 301 and response["Location"] == "/learn/questions/"
    loading.load_content(force=True)  # files linking to "faq" find the moved page
    assert Page.objects.filter(slug="faq").count() == 0


def test_a_staff_page_at_a_moved_pages_old_address_never_takes_the_files_place(authored, clinical_reviewer):
    """what-to-expect moves to /learn/visit-day/; staff publish a new page at /learn/what-to-expect/.
    Loading the files again leaves both alone, and pages whose files link to what-to-expect still link
    to the moved page (nothing republished behind a reviewer's back)."""
    moved = Page.objects.get(slug="what-to-expect")
    moved.slug = "visit-day"
    publishing.save_draft(document=moved, user=clinical_reviewer)
    publishing.publish(document=moved, user=clinical_reviewer, confirm_overdue=True)
    newcomer = Page.objects.create(
        title="A staff page", slug="what-to-expect", summary="S", body="## New?\n\nYes."
    )
    publishing.publish(document=newcomer, user=clinical_reviewer, confirm_overdue=True)
    linking = [p for p in Page.objects.published() if moved.pk in p.live["relations"]["related"]]
    assert linking
    before = {p.pk: (p.live, p.published_at) for p in linking}
    loading.load_content()
    for page in Page.objects.filter(pk__in=before):
        assert (page.live, page.published_at) == before[page.pk]
    assert Page.objects.get(pk=newcomer.pk).title == "A staff page"
    assert Page.objects.get(pk=moved.pk).slug == "visit-day"

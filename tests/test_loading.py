"""load_content: creates what is missing, updates what staff left alone, never overwrites a staff edit."""

import pytest
from django.core.management import CommandError, call_command

from conditions.models import Condition
from content import loading
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

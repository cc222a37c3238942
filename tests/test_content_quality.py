"""The authored content: plain (grade 8 or lower), careful with words, cited, and right on the key facts.

Plain language is judged by the admin's own check, ``content.checks.check_markdown``, with its own
limits: a page passes here exactly when staff would see no warning on its edit page. The other tests
cover what that check does not: front matter, sources, headings, the seeds and the key facts.
"""

import re
from pathlib import Path

import frontmatter
import pytest
from django.conf import settings

from conditions.models import Condition
from content.checks import BANNED_PHRASES, check_markdown
from content.models import Page

BASE = Path(settings.BASE_DIR)
FILES = sorted([*(BASE / "content" / "pages").glob("*.md"), *(BASE / "conditions" / "pages").glob("*.md")])
SEEDS = BASE.parent / "shared" / "seeds"
# shared/CONTENT.md, "Words we do not use" (the list the admin's check uses), and the seeds' over-claims.
BANNED = [*BANNED_PHRASES, "similar effects to electroconvulsive therapy"]
MODELS = {"content": Page, "conditions": Condition}


def _id(path):
    return f"{path.parent.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_every_document_passes_the_admins_plain_language_check(db, path):
    """The document as loaded into the database, checked as the admin checks it on its edit page."""
    document = MODELS[path.parent.parent.name].objects.get(slug=path.stem)
    assert check_markdown(document.body).problems == []


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_no_promotional_or_promising_words(path):
    # Wider than the admin's check: the front matter too, and the seeds' over-claims.
    post = frontmatter.load(path)
    text = f"{post.content}\n{post.metadata}".lower()
    for word in BANNED:
        assert not re.search(rf"\b{re.escape(word)}\b", text), word


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_every_page_cites_sources_and_no_percentage_is_uncited(path):
    post = frontmatter.load(path)
    references = post.metadata.get("references") or []
    assert len(references) >= 2
    assert all(re.search(r"https://", reference) for reference in references)
    assert "%" not in post.content and "percent" not in post.content.lower()


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_headings_are_questions(path):
    headings = re.findall(r"(?m)^##+ (.+)$", frontmatter.load(path).content)
    if path.stem == "glossary":  # letter groups ("A to E") head a definition list
        return
    assert headings and all(h.rstrip().endswith("?") for h in headings), headings


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_internal_links_point_at_authored_pages(path):
    known = {f"/learn/{p.stem}/" for p in FILES if p.parent.parent.name == "content"}
    known |= {f"/conditions/{p.stem}/" for p in FILES if p.parent.parent.name == "conditions"}
    known |= {"/learn/", "/conditions/", "/contact/"}
    for link in re.findall(r"\]\((/[^)\s#]*)", frontmatter.load(path).content):
        assert link in known, link


def _shingles(text, size=8):
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(
    not SEEDS.is_dir(), reason="shared/seeds sits beside the project only in CI and on our machines"
)
def test_no_sentence_is_taken_from_the_seed_pages():
    seed = set().union(*(_shingles(p.read_text(errors="ignore")) for p in SEEDS.glob("*.txt")))
    for path in FILES:
        assert not _shingles(path.read_text()) & seed, path.name


def _page(slug):
    return next(p for p in FILES if p.stem == slug).read_text().lower()


def test_key_facts_are_right():
    what_is = _page("what-is-ketamine-therapy")
    assert "off-label" in what_is and "1960s" in what_is and "anesthe" in what_is
    assert "2023" in what_is  # the FDA's warning about compounded and at-home ketamine
    routes = _page("ways-ketamine-is-given")
    assert "2 hours" in routes and "40 minutes" in routes and "certified" in routes
    faq = _page("faq")
    assert "988" in faq and "press 1" in faq and "press 2" in faq and "press 3" not in faq
    for slug in ("major-depression", "faq"):
        assert "not been shown to prevent suicide" in _page(slug) or "not shown to prevent suicide" in _page(
            slug
        )
    candidacy = _page("who-can-have-ketamine")
    assert "aneurysm" in candidacy and "arteriovenous" in candidacy and "allerg" in candidacy


def test_no_page_lists_the_ended_press_3_option():
    for path in FILES:
        assert "press 3" not in path.read_text().lower(), path.name

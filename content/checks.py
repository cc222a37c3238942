"""Plain-language checks for a Markdown document, the same for the edit page, the list and publishing.

What a check finds is a warning: saving always works. Only links to pages or conditions that do not
exist or are not published block publishing, because a patient would follow them to a dead end.
"""

import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.urls import Resolver404, resolve

from content.markdown import render
from content.readability import grade, plain_text
from core.registry import model_for_detail_url

MAX_GRADE = 8.0
MAX_SENTENCE_WORDS = 20
WORDS_PER_MINUTE = 200

# shared/CONTENT.md, "Words we do not use": promises a clinic must not make.
BANNED_PHRASES = [
    "cure",
    "cures",
    "cured",
    "instant",
    "instantly",
    "guaranteed",
    "guarantee",
    "no side effects",
    "minimal side effects",
    "not addictive",
    "fda-approved ketamine for depression",
    "life-changing",
    "breakthrough",
    "miracle",
]
_BANNED = re.compile(r"\b(" + "|".join(re.escape(p) for p in BANNED_PHRASES) + r")\b", re.IGNORECASE)
_PERCENT = re.compile(r"\d\s*(%|percent\b)", re.IGNORECASE)
_HEADING = re.compile(r"(?m)^(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?:;])\s+")
# The alt text an uploaded image arrives with: a prompt for the author, flagged until they replace it.
ALT_PLACEHOLDER = "Describe this image"


@dataclass(frozen=True)
class Section:
    heading: str
    grade: float


@dataclass(frozen=True)
class BrokenLink:
    href: str
    reason: str


@dataclass
class Report:
    grade: float
    words: int
    sections: list = field(default_factory=list)
    longest_sentences: list = field(default_factory=list)
    banned_phrases: list = field(default_factory=list)
    uncited_percentages: int = 0
    images_without_alt: list = field(default_factory=list)
    broken_links: list = field(default_factory=list)

    @property
    def reading_minutes(self):
        return max(1, math.ceil(self.words / WORDS_PER_MINUTE)) if self.words else 0

    @property
    def hard_sections(self):
        return [section for section in self.sections if section.grade > MAX_GRADE]

    @property
    def long_sentences(self):
        return [s for s in self.longest_sentences if len(s.split()) > MAX_SENTENCE_WORDS]

    @property
    def problems(self):
        """Each problem as one plain sentence, for the edit page and the warning after saving."""
        found = []
        if self.grade > MAX_GRADE:
            found.append(
                f"Reading grade {self.grade:.1f} is above {MAX_GRADE:.0f}: use shorter words and sentences."
            )
        found += [f"Section “{s.heading}” reads at grade {s.grade:.1f}." for s in self.hard_sections]
        if self.long_sentences:
            found.append(
                f"{len(self.long_sentences)} of the longest sentences have more than {MAX_SENTENCE_WORDS} words."
            )
        found += [f"“{phrase}” is on the list of words we do not use." for phrase in self.banned_phrases]
        if self.uncited_percentages:
            found.append("A percentage needs a source (a footnote) beside it.")
        found += [f"An image has no description (alt text): {src}" for src in self.images_without_alt]
        found += [f"Link to {link.href}: {link.reason}." for link in self.broken_links]
        return found

    @property
    def blocks_publishing(self):
        return bool(self.broken_links)


class _LinksAndImages(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs, self.images_without_alt = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        elif tag == "img" and (attrs.get("alt") or "").strip().lower() in ("", ALT_PLACEHOLDER.lower()):
            self.images_without_alt.append(attrs.get("src") or "(no address)")


def _internal_link_problem(href, going_live):
    """Why an internal link leads nowhere useful, or None when it is fine.

    `going_live` holds (model label, slug) of documents published in the same step, which count as live.
    A link to an address a live document had before it moved is fine: it redirects.
    """
    path = href.split("#")[0].split("?")[0]
    if not path.startswith("/"):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return "there is no such page"
    model = model_for_detail_url(match.view_name)
    if model is None:
        return None
    slug = match.kwargs["slug"]
    if (model._meta.label, slug) in going_live or model.objects.published().filter(live_slug=slug).exists():
        return None
    moved = model.objects.moved_from(slug)
    if moved is not None and moved.published:
        return None
    if model.objects.filter(slug=slug).exists() or moved is not None:
        return f"this {model._meta.verbose_name} is not published"
    return f"there is no {model._meta.verbose_name} with this address"


def broken_links_in_html(html, *, going_live=frozenset()):
    """The internal links in rendered HTML that lead to a missing or unpublished document."""
    parser = _LinksAndImages()
    parser.feed(html)
    broken = []
    for href in dict.fromkeys(parser.hrefs):
        reason = _internal_link_problem(href, going_live)
        if reason:
            broken.append(BrokenLink(href, reason))
    return broken


def _sections(text):
    """(heading, markdown) for the text before the first heading and for each heading's part."""
    parts, starts = [], [(m.start(), m.group(2)) for m in _HEADING.finditer(text)]
    if not starts or starts[0][0] > 0:
        parts.append(("Introduction", text[: starts[0][0] if starts else len(text)]))
    for index, (start, heading) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        parts.append((heading, text[start:end]))
    return [(heading, body) for heading, body in parts if body.strip()]


def check_markdown(text, *, going_live=frozenset()):
    """Check a document's Markdown as staff write it; returns a Report."""
    html = render(text).html
    words = plain_text(html)
    sentences = [s for s in _SENTENCE_SPLIT.split(words) if s.strip()]
    parser = _LinksAndImages()
    parser.feed(html)
    return Report(
        grade=round(grade(html), 1),
        words=len(words.split()),
        sections=[Section(heading, round(grade(render(body).html), 1)) for heading, body in _sections(text)],
        longest_sentences=sorted(sentences, key=lambda s: len(s.split()), reverse=True)[:3],
        banned_phrases=sorted({m.group(1).lower() for m in _BANNED.finditer(words)}),
        uncited_percentages=sum(
            1 for line in text.splitlines() if _PERCENT.search(line) and "[^" not in line
        ),
        images_without_alt=parser.images_without_alt,
        broken_links=broken_links_in_html(html, going_live=going_live),
    )

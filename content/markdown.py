"""The one way Markdown becomes HTML on this site.

Staff write Markdown; patients read HTML. Everything in between happens here, once, when the text is
saved: Python-Markdown turns the text into HTML (heading anchors, tables, lists, footnote references,
callout boxes, definition lists), then nh3 keeps only the tags, attributes and URL schemes listed below.
The public pages, the admin's live preview (``MARKDOWNX_MARKDOWNIFY_FUNCTION``) and every other app
call :func:`render` or :func:`markdownify`, so what staff preview is exactly what patients see.
"""

import html
import re
from dataclasses import dataclass, field

import markdown
import nh3
from django.core.exceptions import ValidationError
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "div": {"class"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "img": {"src", "alt", "title", "width", "height"},
    "li": {"id"},
    "ol": {"start"},
    "p": {"class"},
    "sup": {"id"},
}
# Class names the stylesheet knows: callout boxes (admonitions) and footnote references.
CALLOUT_KINDS = {"note", "tip", "warning", "danger"}
ALLOWED_CLASSES = CALLOUT_KINDS | {
    "admonition",
    "admonition-title",
    "footnote",
    "footnote-ref",
    "footnote-backref",
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
EXTERNAL_REL = "noopener noreferrer"

_OPENING_A_TAG = re.compile(r'<a\s(?:[^>"]|"[^"]*")*>')
_EXTERNAL_HREF = re.compile(r'\shref="(?:https?:)?//', re.IGNORECASE)


@dataclass(frozen=True)
class Rendered:
    """Sanitized HTML and the page's table of contents (its second-level headings)."""

    html: str
    toc: list = field(default_factory=list)


class _DemoteTopHeadings(Treeprocessor):
    """The page title is the only <h1>; a '# heading' in the body becomes an <h2>."""

    def run(self, root):
        for element in root.iter("h1"):
            element.tag = "h2"


class _SiteExtension(Extension):
    def extendMarkdown(self, md):
        # Before the toc extension (priority 5) so demoted headings get anchors and TOC entries.
        md.treeprocessors.register(_DemoteTopHeadings(md), "demote_top_headings", 30)


def _keep_known_classes(tag, attribute, value):
    if attribute != "class":
        return value
    kept = [name for name in value.split() if name in ALLOWED_CLASSES]
    return " ".join(kept) or None


def _mark_external_links(clean_html):
    """Give links that leave the site rel="noopener noreferrer".

    nh3's own ``link_rel`` would stamp every link, internal ones included; nh3's serializer always
    writes double-quoted attributes, so the opening tags can be matched reliably here.
    """

    def add_rel(match):
        tag = match.group(0)
        if _EXTERNAL_HREF.search(tag):
            return f'{tag[:-1]} rel="{EXTERNAL_REL}">'
        return tag

    return _OPENING_A_TAG.sub(add_rel, clean_html)


def sanitize(untrusted_html):
    """Keep only the allowlisted HTML: no script, style, iframe, event handler or unsafe URL."""
    clean = nh3.clean(
        untrusted_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_known_classes,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    return _mark_external_links(clean)


def _toc_entries(tokens):
    entries = []
    for token in tokens:
        if token["level"] == 2:
            entries.append({"id": token["id"], "title": html.unescape(token["name"])})
        entries.extend(_toc_entries(token["children"]))
    return entries


# Python-Markdown's link and footnote patterns take time that grows with the square of the number of
# "[" in a text: 4,000 take about 3 seconds, 15,000 about 30 (a worker's whole time limit). No page needs
# a tenth of this many, so longer runs are refused before rendering, with a message staff can act on.
MAX_SQUARE_BRACKETS = 1000
# Rendering and checking a text takes time and memory that grow with its length; the longest authored
# page is about 8 KB. Anything past this is refused before rendering, so one paste cannot tie up a
# worker (counted in UTF-8 bytes, as it is sent and stored).
MAX_MARKDOWN_BYTES = 200 * 1024
# Other marks whose cost grows faster than the text (measured in docs/markdown-limits.md): raw HTML
# tags ("<"), emphasis marks ("*", "_") and deep indentation (nested lists). Authored pages use no raw
# HTML, a few dozen emphasis marks, and lists two or three levels deep.
LIMITS = (
    ("<", ("<",), 2000, "angle brackets “<”", "Pages need no HTML tags: remove them, or split the page."),
    ("*_", ("*", "_"), 5000, "emphasis marks “*” and “_”", "Remove stray marks, or split the page."),
)
MAX_INDENT = 64  # spaces before a line: about 16 levels of list inside list


class MarkdownTooComplex(ValueError):
    """Text the pipeline will not render; the message is written for the staff member who typed it."""


class MarkdownTooLong(MarkdownTooComplex):
    """Text longer than MAX_MARKDOWN_BYTES."""


def _too_long(text):
    # Cheap before exact: a character is 1 to 4 bytes in UTF-8.
    if len(text) * 4 <= MAX_MARKDOWN_BYTES:
        return None
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size <= MAX_MARKDOWN_BYTES:
        return None
    return (
        f"This text is {size / 1024:,.1f} KB ({size:,} bytes); the limit is "
        f"{MAX_MARKDOWN_BYTES // 1024:,} KB ({MAX_MARKDOWN_BYTES:,} bytes). "
        "Split it into shorter pages, or remove text pasted by mistake."
    )


def _problem(text):
    """(exception class, message) for text that will not be rendered, or None when it is fine."""
    text = text or ""
    too_long = _too_long(text)
    if too_long:
        return MarkdownTooLong, too_long
    count = text.count("[")
    if count > MAX_SQUARE_BRACKETS:
        return MarkdownTooComplex, (
            f"This text has {count:,} square brackets “[”; a page may have at most {MAX_SQUARE_BRACKETS:,}. "
            "Links and notes use them: split the page, or remove stray brackets."
        )
    for _key, marks, limit, named, advice in LIMITS:
        count = sum(text.count(mark) for mark in marks)
        if count > limit:
            return MarkdownTooComplex, (
                f"This text has {count:,} {named}; a page may have at most {limit:,}. {advice}"
            )
    deepest = max((len(line) - len(line.lstrip(" \t")) for line in text.splitlines()), default=0)
    if deepest > MAX_INDENT:
        return MarkdownTooComplex, (
            f"A line starts with {deepest:,} spaces; at most {MAX_INDENT} are used (lists inside lists). "
            "Remove the extra spaces."
        )
    return None


def too_complex(text):
    """Why this text will not be rendered, or None when it is fine."""
    problem = _problem(text)
    return problem[1] if problem else None


def validate_markdown(text):
    """Model-field validator: the edit form shows the problem and keeps what was typed."""
    problem = _problem(text)
    if problem:
        error, message = problem
        raise ValidationError(message, code="too_long" if error is MarkdownTooLong else "too_complex")


def render(text):
    """Render staff-written Markdown to sanitized HTML plus the list of its sections."""
    problem = _problem(text)
    if problem:
        error, message = problem
        raise error(message)
    md = markdown.Markdown(
        extensions=["admonition", "def_list", "footnotes", "sane_lists", "tables", "toc", _SiteExtension()],
        extension_configs={
            "toc": {"toc_depth": "2-4"},
            "footnotes": {"BACKLINK_TITLE": "Back to the text of note %d"},
        },
        output_format="html",
    )
    body = md.convert(text or "")
    return Rendered(html=sanitize(body), toc=_toc_entries(md.toc_tokens))


def markdownify(text):
    """The admin preview's entry point (MARKDOWNX_MARKDOWNIFY_FUNCTION): the same HTML as the page."""
    return render(text).html

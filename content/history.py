"""Readable differences between saved versions of a document or the clinic profile.

Markdown fields are compared as patients read them: each version is rendered (content.markdown) and the
words of the rendered text are compared, so a change of one word shows as that word, and Markdown
syntax or line endings never show as changes. Other fields show their old and new values.
"""

import difflib
import re
from html.parser import HTMLParser

from django.db import models
from django.utils.html import escape
from markdownx.models import MarkdownxField

from content.markdown import MarkdownTooComplex, render

# Fields a reader of the history does not care about: bookkeeping, publishing state and check results.
_HIDDEN_NAMES = re.compile(r"version|check|scheduled|live|publish|checksum|_html$|^toc$|^id$")
# Elements whose end closes a block of text: each one starts on a line of its own in a diff.
_BLOCKS = {
    "p",
    "li",
    "h2",
    "h3",
    "h4",
    "td",
    "th",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "div",
    "tr",
    "hr",
    "br",
    "ul",
    "ol",
    "dl",
    "table",
}
PARAGRAPH = "\n"
# Names staff know these fields by (as on the review screen, content.versions).
_LABELS = {"slug": "Address", "nav_order": "Place in lists"}
# The order fields are listed in when several changed at once: as a reader meets them on the page.
_READING_ORDER = {
    name: position
    for position, name in enumerate(
        ("title", "name", "slug", "evidence_level", "summary", "body", "references", "nav_order", "next_page")
    )
}


class _WordExtractor(HTMLParser):
    """The text of rendered HTML, block by block.

    Unlike content.readability.plain_text (made for the reading grade) this keeps footnotes, adds no
    full stops and shows a footnote marker as [1], so the diff shows exactly the words a patient reads.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self._current = []
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._skip_depth or (tag == "a" and "footnote-backref" in (attrs.get("class") or "")):
            self._skip_depth += tag == "a"
            return
        if tag in _BLOCKS:
            self._flush()
        elif tag == "sup":
            self._current.append("[")
        elif tag == "img" and attrs.get("alt"):
            self._current.append(f" [image: {attrs['alt']}] ")

    def handle_endtag(self, tag):
        if self._skip_depth:
            self._skip_depth -= tag == "a"
            return
        if tag in _BLOCKS:
            self._flush()
        elif tag == "sup":
            self._current.append("]")

    def handle_data(self, data):
        if not self._skip_depth:
            self._current.append(data)

    def _flush(self):
        words = "".join(self._current).split()
        self._current = []
        if words:
            self.blocks.append(words)

    def close(self):
        super().close()
        self._flush()


def _words(html):
    """The words of rendered HTML, with PARAGRAPH between blocks."""
    extractor = _WordExtractor()
    extractor.feed(_lf(html or ""))
    extractor.close()
    tokens = []
    for block in extractor.blocks:
        if tokens:
            tokens.append(PARAGRAPH)
        tokens.extend(block)
    return tokens


def _join(tokens):
    return " ".join(tokens).replace(f" {PARAGRAPH} ", PARAGRAPH).replace(f"{PARAGRAPH} ", PARAGRAPH)


def _size(tokens):
    return len(_join(tokens).strip())


def text_diff(old_html, new_html):
    """Word by word, what changed between two pieces of rendered HTML, compared as plain text.

    Returns a list of (kind, text) chunks in reading order, kind being "same", "added" or "removed";
    a chunk's text may hold "\\n" where one block of text (paragraph, heading, list item) ends and the
    next begins. Chunks are meant to be shown with a space between them.
    """
    old, new = _words(old_html), _words(new_html)
    chunks = []

    def add(kind, tokens):
        text = _join(tokens).strip(" ")
        if text.strip():
            if chunks and chunks[-1][0] == kind:
                chunks[-1] = (kind, chunks[-1][1] + " " + text)
            else:
                chunks.append((kind, text))

    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    opcodes = matcher.get_opcodes()
    groups = []  # [equal?, old tokens, new tokens]: runs of unchanged words, and of changes between them
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        equal = tag == "equal"
        # A word or two left standing in a rewrite ("a", "to") reads as noise: when the unchanged run is
        # no longer than the changes on both sides of it, show it as removed and added with them.
        if equal and groups and index < len(opcodes) - 1:
            _, before_old, before_new = groups[-1]
            _, a1, a2, b1, b2 = opcodes[index + 1]
            size = _size(old[i1:i2])
            if size <= max(_size(before_old), _size(before_new)) and size <= max(
                _size(old[a1:a2]), _size(new[b1:b2])
            ):
                equal = False
        if groups and not equal and not groups[-1][0]:
            groups[-1][1].extend(old[i1:i2])
            groups[-1][2].extend(new[j1:j2])
        else:
            groups.append([equal, list(old[i1:i2]), list(new[j1:j2])])
    for equal, old_tokens, new_tokens in groups:
        if equal:
            add("same", old_tokens)
        else:
            add("removed", old_tokens)
            add("added", new_tokens)
    return chunks


def has_changes(diff):
    return any(kind != "same" for kind, _ in diff)


def _lf(text):
    """CRLF and CR line endings as LF: the same text however it was typed (any other value as it is)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


# Comparing two saved versions ---------------------------------------------------------------------


def shown_fields(model):
    """The fields of a model that staff write and a reader of the history cares about, in reading order."""
    history_fields = {field.attname for field in model.history.model._meta.fields}
    fields = [
        field
        for field in model._meta.fields
        if field.editable
        and not field.auto_created
        and not _HIDDEN_NAMES.search(field.name)
        and field.attname in history_fields
        and not isinstance(field, (models.DateField, models.JSONField))
    ]
    return sorted(fields, key=lambda field: _READING_ORDER.get(field.name, len(_READING_ORDER)))


def _rendered(record, field):
    """A version's Markdown field as rendered HTML, rendered once per record however often it is asked."""
    cache = record.__dict__.setdefault("_rendered_fields", {})
    if field.attname not in cache:
        text = _lf(getattr(record, field.attname) or "")
        try:
            cache[field.attname] = render(text).html
        except MarkdownTooComplex:  # an old version today's renderer refuses: compare the text as written
            cache[field.attname] = _as_html(text)
    return cache[field.attname]


def _related(field, pk):
    """How a link to another object reads: its name, "none", or the name it had before it was deleted."""
    if pk is None:
        return "none"
    model = field.related_model
    found = model._default_manager.filter(pk=pk).first()
    if found is not None:
        return str(found)
    history = getattr(model, "history", None)
    last = history.filter(**{model._meta.pk.attname: pk}).first() if history is not None else None
    if last is not None:
        return f"“{last.instance}” (since deleted)"
    return f"a {model._meta.verbose_name} since deleted"


def _display(field, value):
    """A field's value as a reader would say it."""
    if isinstance(field, models.ForeignKey):
        return _related(field, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value)) if value not in (None, "") else "none"
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if value is None or value == "":
        return "empty"
    return _lf(str(value))


def compare_versions(record, previous=None):
    """For one historical record: each changed field, compared with the version saved before it.

    Returns a list of dicts: {"field": label, "diff": [(kind, text)]} for Markdown and other long text
    (word by word, as rendered), or {"field": label, "old": text, "new": text} for everything else.
    The first version is compared with nothing. `previous` saves a query when the caller has it.
    """
    if previous is None:
        previous = record.prev_record
    changes = []
    for field in shown_fields(record.instance_type):
        label = _LABELS.get(field.name) or str(field.verbose_name)
        label = label[:1].upper() + label[1:]
        old = getattr(previous, field.attname, None) if previous is not None else None
        new = getattr(record, field.attname, None)
        if isinstance(field, MarkdownxField):
            diff = text_diff(
                _rendered(previous, field) if previous is not None else "", _rendered(record, field)
            )
            if has_changes(diff):
                changes.append({"field": label, "diff": diff})
        elif isinstance(field, models.TextField):
            diff = text_diff(_as_html(old), _as_html(new))
            if has_changes(diff):
                changes.append({"field": label, "diff": diff})
        elif _lf(old) != _lf(new) and (previous is not None or new not in (None, "")):
            changes.append({"field": label, "old": _display(field, old), "new": _display(field, new)})
    return changes


def _as_html(text):
    """Plain text (one line per block) as HTML that text_diff reads line by line."""
    return "".join(f"<p>{escape(line)}</p>" for line in _lf(text or "").split("\n"))


def summarize(change, limit=80):
    """One change as a short (old, new) pair for the history list: the removed and the added words."""
    if "diff" not in change:
        return _shorten(change["old"], limit), _shorten(change["new"], limit)
    removed = " … ".join(text for kind, text in change["diff"] if kind == "removed")
    added = " … ".join(text for kind, text in change["diff"] if kind == "added")
    return (
        _shorten(removed, limit) if removed else "(nothing removed)",
        _shorten(added, limit) if added else "(nothing added)",
    )


def _shorten(text, limit):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

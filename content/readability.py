"""How hard a page is to read: the text a patient reads, and its Flesch-Kincaid grade.

The grade is measured on rendered HTML turned back into plain text. Headings, list items, table cells
and definitions are read as separate units, so each one ends a sentence even when it has no full stop.
Footnotes and their markers are left out: they are citations, not prose a patient has to follow.
"""

from html.parser import HTMLParser

import textstat

# Elements whose end closes a unit of reading.
_BLOCKS = {"p", "li", "h2", "h3", "h4", "td", "th", "dt", "dd", "blockquote", "pre"}
_SENTENCE_ENDS = (".", "!", "?", ":", ";")


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.units = []
        self._current = []
        self._skip_depth = 0
        self._stack = []

    def handle_starttag(self, tag, attrs):
        if tag in ("div", "sup"):
            skipped = tag == "sup" or "footnote" in (dict(attrs).get("class") or "").split()
            self._stack.append(skipped)
            if skipped:
                self._skip_depth += 1
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in ("div", "sup") and self._stack:
            if self._stack.pop():
                self._skip_depth -= 1
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self._skip_depth:
            self._current.append(data)

    def _flush(self):
        unit = " ".join("".join(self._current).split())
        self._current = []
        if unit:
            self.units.append(unit if unit.endswith(_SENTENCE_ENDS) else unit + ".")

    def close(self):
        super().close()
        self._flush()


def plain_text(html):
    """The words of rendered HTML, one unit of reading after another."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return "\n".join(extractor.units)


def grade(html):
    """Flesch-Kincaid grade level of rendered HTML."""
    text = plain_text(html)
    return textstat.flesch_kincaid_grade(text) if text else 0.0

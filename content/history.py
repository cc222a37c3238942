"""Readable differences between saved versions of a document or the clinic profile."""

import difflib

from django.db import models


def _text_fields(model):
    return [
        field
        for field in model._meta.fields
        if isinstance(field, (models.CharField, models.TextField, models.IntegerField))
        and field.editable
        and field.name not in {"id", "slug"}
    ]


def compare_versions(record):
    """For one historical record: each changed field with a line diff against the version before it.

    Returns a list of {"field", "lines": [(kind, text)]}, kind being "added", "removed" or "same".
    """
    previous = record.prev_record
    changes = []
    for field in _text_fields(record.instance_type):
        old = str(getattr(previous, field.attname, "") or "") if previous else ""
        new = str(getattr(record, field.attname, "") or "")
        if old == new:
            continue
        lines = []
        for line in difflib.ndiff(old.splitlines(), new.splitlines()):
            marker, text = line[:2], line[2:]
            if marker == "? ":
                continue
            lines.append(({"+ ": "added", "- ": "removed"}.get(marker, "same"), text))
        changes.append({"field": field.verbose_name, "lines": lines})
    return changes

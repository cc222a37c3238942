"""What a reviewer compares before vouching for a version: the draft against the last reviewed version
and against the live one, field by field, with the text as words added and removed."""

from types import SimpleNamespace

# The parts of a version shown to a reviewer, in order, with the label they see.
TEXT_PARTS = (("body_html", "Text"), ("references_html", "Sources"))
VALUE_PARTS = (
    ("title", "Title"),
    ("summary", "Summary"),
    ("evidence_level", "Evidence level"),
    ("slug", "Address"),
    ("nav_order", "Place in lists"),
)


def _relation_names(model, name, ids):
    if ids in (None, []):
        return "none"
    related = model._meta.get_field(name).related_model
    wanted = ids if isinstance(ids, list) else [ids]
    found = {
        pk: str(item) for pk, item in ((item.pk, item) for item in related.objects.filter(pk__in=wanted))
    }
    return ", ".join(found.get(pk, "a deleted page") for pk in wanted)


def _value(model, name, value):
    if name == "evidence_level" and value:
        return dict(model._meta.get_field(name).choices).get(value, value)
    return "" if value is None else str(value)


def changes(model, old, new):
    """Each part that differs between two versions (snapshots): text parts as a word diff of the
    rendered text, the others as old and new values. `old` None means there is nothing to compare."""
    from content.history import text_diff

    if old is None:
        return None
    found = []
    for key, label in VALUE_PARTS:
        if key in new and old.get(key) != new.get(key):
            found.append(
                {"label": label, "old": _value(model, key, old.get(key)), "new": _value(model, key, new[key])}
            )
    for name in model.RELATIONS:
        before, after = (old.get("relations") or {}).get(name), (new.get("relations") or {}).get(name)
        if before != after and not (not before and not after):
            label = model._meta.get_field(name).verbose_name.capitalize()
            found.append(
                {
                    "label": label,
                    "old": _relation_names(model, name, before),
                    "new": _relation_names(model, name, after),
                }
            )
    for key, label in TEXT_PARTS:
        if old.get(key, "") != new.get(key, ""):
            found.append({"label": label, "diff": text_diff(old.get(key, ""), new.get(key, ""))})
    return found


def compare_for_review(document):
    """The draft as patients would see it, and what changed since the last review and since going live."""
    model = type(document)
    draft = document.draft_snapshot()
    last_review = document.last_review
    return {
        "draft": SimpleNamespace(**draft),
        "evidence": _value(model, "evidence_level", draft.get("evidence_level")),
        "relations": [
            (model._meta.get_field(name).verbose_name.capitalize(), _relation_names(model, name, ids))
            for name, ids in draft["relations"].items()
        ],
        "last_review": last_review,
        "reviewed_now": last_review is not None and last_review.fingerprint == draft["fingerprint"],
        "since_review": changes(model, last_review.snapshot if last_review else None, draft),
        "since_live": changes(model, document.live if document.published else None, draft),
    }

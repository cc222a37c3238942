"""Data steps the migrations share (kept apart from the models: a migration sees historical models)."""

import datetime

from django.utils import timezone


def versions_from_drafts(apps, app_label, model_name, relations):
    """Move a document kind to versioned publishing: its old review fields become Review rows, and its
    live snapshot gains the address, order and relations it had.

    An old review cannot say which text it covered, so it is kept with no fingerprint: the public page
    says an earlier version was reviewed, never that the current text was, until a reviewer looks again.
    """
    model = apps.get_model(app_label, model_name)
    review_model = apps.get_model("content", "Review")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    kind, _ = content_type_model.objects.get_or_create(app_label=app_label, model=model_name)
    for document in model.objects.all():
        if document.last_reviewed:
            review_model.objects.create(
                content_type=kind,
                object_id=document.pk,
                fingerprint="",
                snapshot={},
                went_live=True,  # until now a review always spoke for the live page
                reviewer_id=document.reviewed_by_id,
                reviewer_name=document.reviewer_name or "One of our clinicians",
                reviewer_credentials=document.reviewer_credentials,
                reviewed_at=timezone.make_aware(
                    datetime.datetime.combine(document.last_reviewed, datetime.time(12))
                ),
            )
        if document.live:
            linked = {
                name: sorted(getattr(document, name).values_list("pk", flat=True))
                if many
                else getattr(document, f"{name}_id")
                for name, many in relations.items()
            }
            document.live = {
                "slug": document.slug,
                "nav_order": document.nav_order,
                "relations": linked,
                "fingerprint": "",
                **document.live,
            }
            document.live_slug = document.slug
            document.live_order = document.nav_order
        document.draft_changes = not document.published
        document.source_file = document.slug if document.source_checksum else ""
        document.save(update_fields=["live", "live_slug", "live_order", "draft_changes", "source_file"])

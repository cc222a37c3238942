"""The one way to change what patients read: save a draft, publish, unpublish, mark reviewed, restore.

Every kind of Markdown document (pages, conditions, and any later kind) goes through these functions,
whoever asks: the admin's buttons and bulk actions, `load_content`, and the tests. Each takes keyword
arguments only and checks its own rules, so a rule cannot be skipped by calling the model directly or
by a new admin action:

- Saving a draft never changes what patients see.
- Publishing needs the publish permission, and no link in the draft may lead to a missing or
  unpublished page. A document whose clinical review is overdue is published only when the caller
  confirms it (`confirm_overdue=True`).
- Marking reviewed needs the review permission and a clinical reviewer profile with credentials.

`user=None` means the site itself (the authored-content loader run from the command line), which is
allowed everything the files ask for. Anyone else is checked against their permissions.
"""

from django.db import transaction
from django.utils import timezone

from content.checks import check_markdown
from content.models import REVIEW_INTERVAL


class PublishingError(Exception):
    """A publishing rule said no; the message is written for the staff member who asked."""


class NotAllowed(PublishingError):
    pass


class LinksBroken(PublishingError):
    def __init__(self, document, broken_links):
        self.document, self.broken_links = document, broken_links
        listed = ", ".join(f"{link.href} ({link.reason})" for link in broken_links)
        super().__init__(f"Not published: fix these links first: {listed}.")


class ReviewOverdue(PublishingError):
    def __init__(self, document):
        when = "has never been clinically reviewed" if document.next_review_due is None else "is overdue"
        super().__init__(
            f"“{document}” was not published: its clinical review {when}. Confirm to publish it."
        )


def _permission(document, action):
    return f"{document._meta.app_label}.{action}_{document._meta.model_name}"


def can_publish(*, user, document):
    return user is None or user.has_perm(_permission(document, "publish"))


def can_review(*, user, document):
    return user.has_perm(_permission(document, "review")) and hasattr(user, "clinical_reviewer")


def _who(user):
    return user.get_full_name() or user.get_username()


def _save(document, *, user, reason, update_fields=None):
    document._change_reason = reason
    if user is not None:
        document._history_user = user
    document.save(update_fields=update_fields)


def save_draft(*, document, user, reason=None):
    """Save the document's draft (its own fields). Patients keep seeing the live version.

    Returns the plain-language check of the draft, for the caller to show.
    """
    _save(document, user=user, reason=reason)
    return check_markdown(document.body)


def publish(*, document, user, confirm_overdue=False):
    """Make the saved draft what patients see. Raises NotAllowed, LinksBroken or ReviewOverdue."""
    return publish_together(documents=[document], user=user, confirm_overdue=confirm_overdue)[0]


@transaction.atomic
def publish_together(*, documents, user, confirm_overdue=False):
    """Publish several documents in one step: all of them go live, or (on any refusal) none.

    Links between them count as live, so documents that link to each other can go live together.
    """
    going_live = frozenset((document._meta.label, document.slug) for document in documents)
    for document in documents:
        if not can_publish(user=user, document=document):
            raise NotAllowed("Draft saved. Only clinical reviewers can publish.")
        report = check_markdown(document.body, going_live=going_live)
        if report.blocks_publishing:
            raise LinksBroken(document, report.broken_links)
        if user is not None and document.review_overdue and not confirm_overdue:
            raise ReviewOverdue(document)
    now = timezone.now()
    for document in documents:
        document.live = document.draft_snapshot()
        document.published = True
        document.published_at = now
        _save(
            document,
            user=user,
            reason="Published",
            update_fields=["live", "published", "published_at", "updated"],
        )
    return list(documents)


@transaction.atomic
def unpublish(*, document, user):
    """Take the document off the public site; the draft and its history are kept."""
    if not can_publish(user=user, document=document):
        raise NotAllowed("Only clinical reviewers can unpublish.")
    document.published = False
    _save(document, user=user, reason="Unpublished", update_fields=["published", "updated"])
    return document


@transaction.atomic
def mark_reviewed(*, document, user, today=None):
    """Record that a clinical reviewer checked the document today; the next review falls due in a year."""
    if user is None or not can_review(user=user, document=document):
        raise NotAllowed(
            "Only clinical reviewers with credentials on file can mark pages reviewed. "
            "An administrator can add you under Clinical reviewers."
        )
    today = today or timezone.localdate()
    document.last_reviewed = today
    document.next_review_due = today + REVIEW_INTERVAL
    document.reviewed_by = user
    document.reviewer_name = _who(user)
    document.reviewer_credentials = user.clinical_reviewer.credentials
    _save(
        document,
        user=user,
        reason=f"Marked clinically reviewed by {_who(user)}",
        update_fields=[
            "last_reviewed",
            "next_review_due",
            "reviewed_by",
            "reviewer_name",
            "reviewer_credentials",
            "updated",
        ],
    )
    return document


def restore_version(*, document, record, user):
    """Make an earlier saved version the draft again. What patients see does not change until publishing.

    `record` is one of the document's history records. The address (slug) is kept as it is now.
    """
    if record.instance_type is not type(document) or record.id != document.pk:
        raise PublishingError("That version belongs to another document.")
    for field in document._meta.fields:
        if field.editable and field.name not in {"id", "slug"} and hasattr(record, field.attname):
            setattr(document, field.attname, getattr(record, field.attname))
    return save_draft(
        document=document,
        user=user,
        reason=f"Restored the version of {timezone.localtime(record.history_date):%B %d, %Y %H:%M} as the draft",
    )

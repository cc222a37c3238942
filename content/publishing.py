"""The one way to change what patients read: save a draft, review, publish, schedule, unpublish, restore.

Every kind of Markdown document (pages, conditions, and any later kind) goes through these functions,
whoever asks: the admin's buttons and bulk actions, `load_content`, `publish_scheduled` and the tests.
Each takes keyword arguments only and checks its own rules, so a rule cannot be skipped by calling the
model directly or by a new admin action:

- Saving a draft never changes what patients see: the live version holds the title, summary, text,
  references, address, order in lists and relations (and a condition's evidence level).
- A save from a form opened on an older version is refused (`EditConflict`): nobody's work is
  overwritten. Changing the address needs the publish permission; changing "next review due" needs a
  clinical reviewer.
- A review belongs to one version (its fingerprint): marking reviewed records exactly what the
  reviewer saw. Publishing text that changed since its last review needs a clinical reviewer.
- Publishing needs the publish permission, and no link in the draft may lead to a missing or
  unpublished page. A document whose clinical review is overdue is published only when the caller
  confirms it (`confirm_overdue=True`). A changed address leaves a permanent redirect from the old one.
- A reviewer may set a time for a reviewed version to go live, and a time for a document to come down.

`user=None` means the site itself (the authored-content loader run from the command line), which is
allowed everything the files ask for. Anyone else is checked against their permissions.
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from content.checks import broken_links_in_html, check_markdown
from content.models import REVIEW_INTERVAL, AddressRedirect, Review

logger = logging.getLogger(__name__)


class PublishingError(Exception):
    """A publishing rule said no; the message is written for the staff member who asked."""


class NotAllowed(PublishingError):
    pass


class LinksBroken(PublishingError):
    def __init__(self, document, broken_links):
        self.document, self.broken_links = document, broken_links
        listed = ", ".join(f"{link.href} ({link.reason})" for link in broken_links)
        super().__init__(f"“{document}” was not published: fix these links first: {listed}.")


class ReviewOverdue(PublishingError):
    def __init__(self, document):
        when = (
            "has never been clinically reviewed"
            if document.next_review_due is None
            else "is overdue for clinical review"
        )
        super().__init__(f"“{document}” was not published: it {when}. Confirm to publish it.")


class EditConflict(PublishingError):
    """Someone saved the document after this form was opened; the caller keeps the typed text."""

    def __init__(self, document, *, saved_version):
        self.document, self.saved_version = document, saved_version
        super().__init__(
            f"Not saved: someone else saved “{document}” while you were editing it (it is now version "
            f"{saved_version}). Your text is still here. Open their version to compare, copy what you "
            "need, then save again."
        )


class VersionChanged(PublishingError):
    """The draft changed after the reviewer opened it: they have not seen what would be vouched for."""

    def __init__(self, document):
        super().__init__(
            f"Nothing was done: the draft of “{document}” changed while you were reading it "
            f"(it is now version {document.version}). Read this version, then try again."
        )


def _permission(document, action):
    return f"{document._meta.app_label}.{action}_{document._meta.model_name}"


def can_publish(*, user, document):
    return user is None or user.has_perm(_permission(document, "publish"))


def can_review(*, user, document):
    return (
        user is not None
        and user.has_perm(_permission(document, "review"))
        and hasattr(user, "clinical_reviewer")
    )


def _who(user):
    return user.get_full_name() or user.get_username()


def _save(document, *, user, reason, update_fields=None):
    document._change_reason = reason
    if user is not None:
        document._history_user = user
    document.save(update_fields=update_fields)


def _check_version(document, expected_version):
    """`expected_version` None: the caller did not ask; anything else must be the draft's version now."""
    if expected_version is None:
        return
    try:
        same = int(expected_version) == document.version
    except (TypeError, ValueError):
        same = False
    if not same:
        raise VersionChanged(document)


def refresh_draft_state(*, document):
    """Record whether the draft differs from the live version (call after relations are saved)."""
    changed = document.has_unpublished_changes
    if changed != document.draft_changes:
        document.draft_changes = changed
        type(document).objects.filter(pk=document.pk).update(draft_changes=changed)
    return changed


@transaction.atomic
def save_draft(*, document, user, expected_version=None, reason=None):
    """Save the document's draft (its own fields). Patients keep seeing the live version.

    `expected_version` is the version the form was opened on: a save over someone else's newer save
    raises EditConflict. Returns the plain-language check of the draft, for the caller to show.
    """
    model = type(document)
    saved = None
    if document.pk is not None:
        saved = (
            model.objects.select_for_update()
            .filter(pk=document.pk)
            .values("version", "slug", "next_review_due")
            .first()
        )
    if saved is not None:
        if expected_version is not None and int(expected_version) != saved["version"]:
            raise EditConflict(document, saved_version=saved["version"])
        if document.slug != saved["slug"] and not can_publish(user=user, document=document):
            raise NotAllowed("Not saved: only staff who can publish can change a page's address.")
    review_due_changed = document.next_review_due != (saved["next_review_due"] if saved else None)
    if review_due_changed and user is not None and not can_review(user=user, document=document):
        raise NotAllowed("Not saved: only clinical reviewers can change “next review due”.")
    document.version = (saved["version"] if saved else 0) + 1
    _save(document, user=user, reason=reason)
    refresh_draft_state(document=document)
    return getattr(document, "check_report", None) or check_markdown(document.body)


def _going_live(document, snapshot, *, user, reason):
    """Make `snapshot` the live version of `document`; an old address becomes a permanent redirect."""
    kind = ContentType.objects.get_for_model(document)
    old_slug, new_slug = document.live_slug, snapshot["slug"]
    if old_slug and old_slug != new_slug:
        AddressRedirect.objects.update_or_create(
            content_type=kind, old_slug=old_slug, defaults={"object_id": document.pk}
        )
    AddressRedirect.objects.filter(content_type=kind, old_slug=new_slug).delete()
    Review.objects.filter(
        content_type=kind, object_id=document.pk, fingerprint=snapshot["fingerprint"]
    ).update(went_live=True)
    document.live = snapshot
    document.live_slug = new_slug
    document.live_order = snapshot["nav_order"]
    document.published = True
    document.published_at = timezone.now()
    document.draft_changes = document.draft_snapshot() != snapshot
    _save(
        document,
        user=user,
        reason=reason,
        update_fields=[
            "live",
            "live_slug",
            "live_order",
            "published",
            "published_at",
            "draft_changes",
            "updated",
        ],
    )


def _address_taken(document, slug):
    return type(document).objects.filter(live_slug=slug).exclude(pk=document.pk).exists()


def publish(*, document, user, confirm_overdue=False, expected_version=None):
    """Make the saved draft what patients see. Raises NotAllowed, LinksBroken, ReviewOverdue,
    VersionChanged or PublishingError (address taken)."""
    return publish_together(
        documents=[document],
        user=user,
        confirm_overdue=confirm_overdue,
        expected_versions={document.pk: expected_version},
    )[0]


@transaction.atomic
def publish_together(*, documents, user, confirm_overdue=False, expected_versions=None):
    """Publish several documents in one step: all of them go live, or (on any refusal) none.

    Links between them count as live, so documents that link to each other can go live together.
    """
    expected_versions = expected_versions or {}
    going_live = frozenset((document._meta.label, document.slug) for document in documents)
    for document in documents:
        if not can_publish(user=user, document=document):
            raise NotAllowed(f"“{document}”: draft saved. Only clinical reviewers can publish.")
        _check_version(document, expected_versions.get(document.pk))
        if (
            user is not None
            and document.draft_review is None
            and not can_review(user=user, document=document)
        ):
            raise NotAllowed(
                f"“{document}” was not published: its text changed since its last clinical review, "
                "so only a clinical reviewer can publish it."
            )
        report = check_markdown(document.body, going_live=going_live)
        if report.blocks_publishing:
            raise LinksBroken(document, report.broken_links)
        if _address_taken(document, document.slug):
            raise PublishingError(
                f"“{document}” was not published: another {document._meta.verbose_name} already uses "
                f"the address “{document.slug}”."
            )
        if user is not None and document.review_overdue and not confirm_overdue:
            raise ReviewOverdue(document)
    for document in documents:
        _going_live(document, document.draft_snapshot(), user=user, reason="Published")
        if document.publish_at is not None:  # published by hand: an older scheduled version never follows
            _clear_schedule(document)
    return list(documents)


@transaction.atomic
def unpublish(*, document, user):
    """Take the document off the public site; the draft, its history and its address are kept."""
    if not can_publish(user=user, document=document):
        raise NotAllowed("Only clinical reviewers can unpublish.")
    document.published = False
    document.draft_changes = True
    document.unpublish_at = None
    _save(
        document,
        user=user,
        reason="Unpublished",
        update_fields=["published", "draft_changes", "unpublish_at", "updated"],
    )
    return document


@transaction.atomic
def mark_reviewed(*, document, user, expected_version=None, today=None):
    """Record that a clinical reviewer checked this version of the draft; the next review falls due in a
    year. What patients see does not change: the live page says "Last reviewed" only once its text is
    the text that was reviewed."""
    if not can_review(user=user, document=document):
        raise NotAllowed(
            "Only clinical reviewers with credentials on file can mark pages reviewed. "
            "An administrator can add you under Clinical reviewers."
        )
    _check_version(document, expected_version)
    snapshot = document.draft_snapshot()
    review = Review.objects.create(
        content_type=ContentType.objects.get_for_model(document),
        object_id=document.pk,
        fingerprint=snapshot["fingerprint"],
        version=document.version,
        snapshot=snapshot,
        reviewer=user,
        reviewer_name=_who(user),
        reviewer_credentials=user.clinical_reviewer.credentials,
        went_live=document.published and (document.live or {}).get("fingerprint") == snapshot["fingerprint"],
    )
    today = today or timezone.localdate()
    document.next_review_due = today + REVIEW_INTERVAL
    _save(
        document,
        user=user,
        reason=f"Version {document.version} marked clinically reviewed by {_who(user)}",
        update_fields=["next_review_due", "updated"],
    )
    return review


def restore_version(*, document, record, user):
    """Make an earlier saved version the draft again. What patients see does not change until publishing.

    `record` is one of the document's history records. The address (slug) is kept as it is now.
    """
    if record.instance_type is not type(document) or record.id != document.pk:
        raise PublishingError("That version belongs to another document.")
    for field in document._meta.fields:
        if field.editable and field.name not in {"id", "slug"} and hasattr(record, field.attname):
            setattr(document, field.attname, getattr(record, field.attname))
    when = date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
    return save_draft(
        document=document,
        user=user,
        reason=f"Restored the version of {when} as the draft",
    )


# Scheduled publishing -------------------------------------------------------------------------------


def _clear_schedule(document, *, failed=None):
    """Forget the scheduled version; when it could not go live, keep it with the reason for staff."""
    document.scheduled = {**document.scheduled, "failed": failed} if failed and document.scheduled else None
    document.publish_at = None
    type(document).objects.filter(pk=document.pk).update(scheduled=document.scheduled, publish_at=None)


@transaction.atomic
def schedule(*, document, user, publish_at=None, unpublish_at=None, expected_version=None):
    """Set a time for this (reviewed) version of the draft to go live, and/or for the document to come
    down. The version is kept as it is now: later edits to the draft do not go live with it."""
    if not can_publish(user=user, document=document):
        raise NotAllowed("Only clinical reviewers can schedule publishing.")
    _check_version(document, expected_version)
    now = timezone.now()
    if publish_at is not None:
        if publish_at <= now:
            raise PublishingError("Choose a time in the future to publish, or publish now.")
        if document.draft_review is None:
            raise NotAllowed("Mark this version reviewed before setting a time for it to go live.")
        if document.review_overdue:
            raise NotAllowed(
                "Its clinical review is overdue: review this version again before scheduling it."
            )
        report = check_markdown(document.body, going_live={(document._meta.label, document.slug)})
        if report.blocks_publishing:
            raise LinksBroken(document, report.broken_links)
        document.scheduled = {**document.draft_snapshot(), "version": document.version}
        document.publish_at = publish_at
    if unpublish_at is not None:
        if unpublish_at <= (publish_at or now):
            raise PublishingError("The time to take it down must come after it goes live.")
        document.unpublish_at = unpublish_at
    document.scheduled_by = user
    _save(
        document,
        user=user,
        reason="Scheduled",
        update_fields=["scheduled", "publish_at", "unpublish_at", "scheduled_by", "updated"],
    )
    return document


@transaction.atomic
def cancel_schedule(*, document, user):
    if not can_publish(user=user, document=document):
        raise NotAllowed("Only clinical reviewers can change scheduled publishing.")
    document.scheduled = document.publish_at = document.unpublish_at = None
    _save(
        document,
        user=user,
        reason="Schedule cancelled",
        update_fields=["scheduled", "publish_at", "unpublish_at", "updated"],
    )
    return document


def run_schedule(*, model, now=None):
    """Publish and take down what is due by `now` for one kind of document; returns what happened, one
    sentence per document. A version that can no longer go live (its links now lead nowhere, or whoever
    scheduled it lost the permission) is not published: the error is logged and shown to staff on the
    document. Rows another server is working on are skipped (SKIP LOCKED), never published twice."""
    now = now or timezone.now()
    return [
        *_each_due(model, "publish_at", now, _publish_scheduled),
        *_each_due(model, "unpublish_at", now, _take_down_scheduled),
    ]


def _each_due(model, field, now, act):
    """Call `act(document)` for each document whose `field` time has come, each in its own transaction
    with the row locked; a row locked by another server's run is left to that run."""
    done = []
    due = {f"{field}__lte": now}
    for pk in list(model.objects.filter(**due).values_list("pk", flat=True)):
        with transaction.atomic():
            document = model.objects.select_for_update(skip_locked=True).filter(pk=pk, **due).first()
            if document is not None:
                done.append(act(document))
    return done


def _take_down_scheduled(document):
    if document.published:
        unpublish(document=document, user=None)
    else:
        type(document).objects.filter(pk=document.pk).update(unpublish_at=None)
    return f"“{document}” taken down as scheduled."


def _publish_scheduled(document):
    snapshot, user = dict(document.scheduled or {}), document.scheduled_by
    snapshot.pop("version", None)
    snapshot.pop("failed", None)
    problem = None
    if not snapshot:
        problem = "no version was kept"
    elif user is None or not can_publish(user=user, document=document):
        problem = "whoever scheduled it can no longer publish"
    else:
        going_live = {(document._meta.label, snapshot["slug"])}
        broken = broken_links_in_html(snapshot["body_html"], going_live=going_live)
        if broken:
            problem = "links lead nowhere: " + ", ".join(link.href for link in broken)
        elif _address_taken(document, snapshot["slug"]):
            problem = f"another document now uses the address {snapshot['slug']}"
    if problem:
        logger.error(
            "Scheduled publishing of %s %s did not happen: %s", document._meta.label, document.pk, problem
        )
        _clear_schedule(document, failed=problem)
        return f"“{document}” was not published as scheduled: {problem}."
    _going_live(document, snapshot, user=user, reason="Published as scheduled")
    _clear_schedule(document)
    return f"“{document}” published as scheduled."


# The clinic profile -------------------------------------------------------------------------------------


def can_publish_profile(*, user):
    return user is None or user.has_perm("content.publish_clinicprofile")


def save_clinic_profile(*, profile, user, reason=None):
    """Save the clinic profile's draft. Patients keep seeing the published details."""
    _save(profile, user=user, reason=reason)
    return profile


@transaction.atomic
def publish_clinic_profile(*, profile, user):
    """Make the saved draft of the clinic's details what every page shows."""
    if not can_publish_profile(user=user):
        raise NotAllowed("Draft saved. Only staff who can publish may publish the clinic's details.")
    profile.live = profile.draft_values()
    profile.published_at = timezone.now()
    _save(profile, user=user, reason="Published", update_fields=["live", "published_at"])
    return profile


def restore_clinic_profile(*, profile, record, user):
    """Make an earlier saved version of the clinic profile the draft again (not live until published)."""
    for name in profile.PUBLIC_FIELDS:
        setattr(profile, name, getattr(record, name))
    when = date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
    return save_clinic_profile(
        profile=profile, user=user, reason=f"Restored the version of {when} as the draft"
    )

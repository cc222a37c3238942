"""What happens to an inquiry: submitted, notified, logged, exported, purged.

Business actions live here as small functions with keyword-only arguments, so the view, the admin and
the management commands all do the same thing the same way.
"""

import csv
import hashlib
import hmac
import logging
import re
import time
from datetime import timedelta

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from core.client import client_address, rate_limit_network
from inquiries.fields import encrypted_fields, rotate
from inquiries.models import AccessLogEntry, Inquiry, RateLimitBucket

logger = logging.getLogger(__name__)

# Words that suggest someone may be in danger. A match puts the inquiry at the top of the queue and the
# crisis card first on the thank-you page. Matching is generous on purpose: a false alarm costs a call.
CRISIS_PATTERNS = [
    r"suicid\w*",
    r"kill(?:ing)? my ?self",
    r"end(?:ing)? (?:my|it) (?:life|all)",
    r"take my (?:own )?life",
    r"want(?:ed)? to die",
    r"better off dead",
    r"no reason to live",
    r"over ?dos\w*",
    r"hurt(?:ing)? my ?self",
    r"harm(?:ing)? my ?self",
    r"self[- ]harm\w*",
    r"cut(?:ting)? my ?self",
]
_CRISIS = re.compile(r"\b(?:" + "|".join(CRISIS_PATTERNS) + r")\b", re.IGNORECASE)

DUPLICATE_WINDOW = timedelta(minutes=10)


def mentions_crisis(text):
    return bool(text and _CRISIS.search(text))


def _keyed_hash(*parts):
    message = "\x1f".join(str(part) for part in parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def client_key(request):
    """A keyed hash of the client's address (an IPv6 client's /64): enough to rate-limit, useless to
    identify anyone."""
    return _keyed_hash("client", rate_limit_network(client_address(request)))


def rate_limit_take(*, client):
    """Take one of this client's submissions for the current window; False when none are left."""
    limit, window_seconds = settings.INQUIRY_RATE_LIMIT
    window = int(time.time() // window_seconds)
    buckets = RateLimitBucket.objects.filter(client=client, window=window)
    if buckets.filter(count__lt=limit).update(count=F("count") + 1):
        return True
    if buckets.exists():
        return False
    RateLimitBucket.objects.filter(window__lt=window).delete()  # old windows are no longer needed
    try:
        with transaction.atomic():
            RateLimitBucket.objects.create(client=client, window=window, count=1)
    except IntegrityError:  # another worker made the bucket first: take a slot in it instead
        return bool(buckets.filter(count__lt=limit).update(count=F("count") + 1))
    return True


def _fingerprint(data):
    """Every field the person sent, exactly: only the same submission sent again matches. A second
    inquiry that differs in anything (treatment, contact method or time, a child's date of birth on
    the same member ID) is a new inquiry and is kept."""
    return _keyed_hash("inquiry", *(f"{name}={data[name]!s}" for name in sorted(data)))


POSSIBLE_SPAM_DAYS = 30


def inquiry_submit(*, data, token, spam_signal=""):
    """Save a new inquiry, exactly once, and queue its notification.

    `data` is the cleaned form data; `token` is the form's one-time submission token. A second
    submission with the same token, or with the same content within a few minutes, returns the
    inquiry that was already saved instead of making another.

    `spam_signal` says why it looks automated (too fast, hidden field filled). Such a message is still
    kept, as possible spam with no email, because people with autofill trip both; one whose words
    suggest a crisis is urgent and notified whatever it looks like.
    """
    fingerprint = _fingerprint(data)
    duplicate = Inquiry.objects.filter(
        fingerprint=fingerprint, received__gte=timezone.now() - DUPLICATE_WINDOW
    ).first()
    if duplicate is not None:
        return duplicate
    inquiry = Inquiry(
        **data,
        submission_token=token,
        fingerprint=fingerprint,
        consent_at=timezone.now(),
        urgent=mentions_crisis(data.get("message")),
    )
    if spam_signal and not inquiry.urgent:
        inquiry.status, inquiry.spam_signal = Inquiry.Status.SUSPECT, spam_signal[:100]
    try:
        with transaction.atomic():
            inquiry.save()
    except IntegrityError:
        return Inquiry.objects.get(submission_token=token)
    if inquiry.status != Inquiry.Status.SUSPECT:
        # After the commit, so the inquiry is safe on disk before the mail server is even asked.
        transaction.on_commit(lambda: notification_send(inquiry_id=inquiry.pk))
    return inquiry


def notification_message(inquiry):
    """Subject and body of the front-desk email: a number, a kind and a link. Nothing the person typed."""
    subject = f"New inquiry #{inquiry.pk} ({inquiry.get_kind_display().lower()})"
    if inquiry.urgent:
        subject = f"URGENT: {subject}"
    link = settings.SITE_URL.rstrip("/") + inquiry.get_admin_url()
    body = (
        f"{subject} — review it here: {link}\n\nSign in to read it. This email holds no details on purpose.\n"
    )
    return subject, body


def notification_send(*, inquiry_id):
    """Send one inquiry's notification, if nobody has sent or is sending it. Returns True if sent."""
    now = timezone.now()
    stale = now - timedelta(minutes=5)
    claimed = (
        Inquiry.objects.filter(pk=inquiry_id, notified_at__isnull=True)
        .exclude(notify_claimed_at__gte=stale)
        .update(notify_claimed_at=now)
    )
    if not claimed:
        return False
    inquiry = Inquiry.objects.only("pk", "kind", "urgent").get(pk=inquiry_id)
    subject, body = notification_message(inquiry)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [settings.FRONT_DESK_EMAIL])
    except Exception as error:  # noqa: BLE001 -- any mail failure leaves the notification pending
        Inquiry.objects.filter(pk=inquiry_id).update(
            notify_claimed_at=None, notify_attempts=F("notify_attempts") + 1
        )
        logger.warning(
            "Notification for inquiry #%s not sent yet (%s); it will be retried.",
            inquiry_id,
            type(error).__name__,
        )
        return False
    Inquiry.objects.filter(pk=inquiry_id).update(notified_at=timezone.now(), notify_claimed_at=None)
    return True


def notifications_send_pending():
    """Send every notification still waiting (the outbox sweep). Returns (sent, still pending)."""
    sent = 0
    for inquiry_id in _owed().order_by("pk").values_list("pk", flat=True):
        sent += notification_send(inquiry_id=inquiry_id)
    return sent, _owed().count()


def _owed():
    """Inquiries the front desk has not been emailed about yet (never possible spam)."""
    return Inquiry.objects.filter(notified_at__isnull=True).exclude(status=Inquiry.Status.SUSPECT)


def access_log_record(*, user, action, inquiry_ids=(None,), detail=""):
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            user=user, username=user.get_username(), action=action, inquiry_id=inquiry_id, detail=detail[:200]
        )
        for inquiry_id in inquiry_ids
    )


# Cells a spreadsheet would run as a formula start with one of these.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
EXPORT_COLUMNS = [
    ("Inquiry", lambda i: i.pk),
    ("Received", lambda i: timezone.localtime(i.received).strftime("%Y-%m-%d %H:%M")),
    ("Kind", lambda i: i.get_kind_display()),
    ("Status", lambda i: i.get_status_display()),
    ("Urgent", lambda i: "yes" if i.urgent else "no"),
    ("Name", lambda i: i.name),
    ("Phone", lambda i: i.phone_display),
    ("Email", lambda i: i.email),
    ("Preferred contact", lambda i: i.get_preferred_contact_display()),
    ("Preferred time", lambda i: i.get_preferred_time_display()),
    ("Service", lambda i: i.get_service_display()),
    ("Assigned to", lambda i: i.assigned_to.get_username() if i.assigned_to else ""),
]


# A spreadsheet that splits on ";" or "," (whatever the file says) starts a new cell after one: a formula
# start there is neutralized too, so "Ann;=1+1" never runs.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;,]\s*)(?=[=+\-@])")


def spreadsheet_safe(value):
    """Neutralize formula injection: a cell, or a part after ";" or ",", that would start a formula
    (even after spaces a spreadsheet trims) is read as plain text."""
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", str(value))
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_STARTS) else text


def inquiries_export(*, user, inquiries, stream):
    """Write the queue's working columns as CSV (no message, no insurance numbers) and log it."""
    inquiries = list(inquiries)
    writer = csv.writer(stream, quoting=csv.QUOTE_ALL)  # every cell quoted: a separator inside stays inside
    writer.writerow([title for title, _ in EXPORT_COLUMNS])
    for inquiry in inquiries:
        writer.writerow([spreadsheet_safe(value(inquiry)) for _, value in EXPORT_COLUMNS])
    access_log_record(
        user=user,
        action=AccessLogEntry.Action.EXPORT,
        inquiry_ids=[i.pk for i in inquiries],
        detail="CSV export",
    )


def inquiries_set_status(*, user, inquiries, status):
    """Move inquiries to a new status (a bulk action in the queue) and log the change."""
    ids = []
    # One at a time through Inquiry.save, which owns the date rules (the first closing date is kept, so
    # closing again never extends how long an inquiry is retained; the wait stops at the first answer).
    # A page of the queue is 50 at most.
    dated = ("status", "closed_at", "first_answered_at")
    for inquiry in Inquiry.objects.filter(pk__in=inquiries.values("pk")).only("pk", *dated):
        inquiry.status = status
        inquiry.save(update_fields=dated)
        ids.append(inquiry.pk)
    access_log_record(
        user=user, action=AccessLogEntry.Action.CHANGE, inquiry_ids=ids, detail=f"status: {status}"
    )
    return len(ids)


def inquiries_purge(*, retention_days=None):
    """Delete closed and spam inquiries closed longer ago than the retention period. Returns the count."""
    days = settings.INQUIRY_RETENTION_DAYS if retention_days is None else retention_days
    cutoff = timezone.now() - timedelta(days=days)
    expired = Inquiry.objects.filter(
        Q(status__in=[Inquiry.Status.CLOSED, Inquiry.Status.SPAM], closed_at__lt=cutoff)
        | Q(status=Inquiry.Status.SUSPECT, received__lt=timezone.now() - timedelta(days=POSSIBLE_SPAM_DAYS))
    )
    count = expired.delete()[1].get(Inquiry._meta.label, 0)
    logger.info("Purged %d closed inquiries older than %d days.", count, days)
    return count


def inquiries_reencrypt():
    """Encrypt every inquiry's encrypted values again with the newest key (MultiFernet.rotate), one row
    at a time. Returns (rows rewritten, rows with a value no key can read, which are left as they are)."""
    names = [field.attname for field in encrypted_fields(Inquiry)]
    # Cast to plain text: the stored tokens themselves, not what the fields would decrypt them to.
    raw = {f"raw_{name}": Cast(name, TextField()) for name in names}
    rewritten = unreadable = 0
    for row in Inquiry.objects.annotate(**raw).values("pk", *raw).iterator():
        try:
            fresh = {
                name: Value(rotate(row[f"raw_{name}"]), output_field=TextField())
                for name in names
                if row[f"raw_{name}"]
            }
        except InvalidToken:
            unreadable += 1
            continue
        Inquiry.objects.filter(pk=row["pk"]).update(**fresh)
        rewritten += 1
    return rewritten, unreadable

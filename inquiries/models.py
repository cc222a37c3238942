"""Inquiries from the contact form, the front desk's queue, and the append-only log of who saw what.

What a person typed that touches their health (their message, insurance numbers, dates of birth, the
policy holder, staff notes) is encrypted at rest; name, phone and email stay searchable for the desk.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from inquiries.fields import EncryptedDateField, EncryptedTextField

# What an insurance verification asks for beyond a general question.
INSURANCE_FIELDS = (
    "insurance_carrier",
    "member_id",
    "group_number",
    "patient_dob",
    "patient_is_policy_holder",
    "policy_holder_name",
    "policy_holder_dob",
)


class Inquiry(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "General question"
        INSURANCE = "insurance", "Insurance verification"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        SCHEDULED = "scheduled", "Scheduled"
        CLOSED = "closed", "Closed"
        SPAM = "spam", "Spam"
        # Sent faster than a person types, or with the hidden field filled (autofill does both): kept,
        # never emailed about, purged after POSSIBLE_SPAM_DAYS unless staff move it on.
        SUSPECT = "suspect", "Possible spam"

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"

    class ContactTime(models.TextChoices):
        ANY = "any", "Any time"
        MORNING = "morning", "Morning (8 am to noon)"
        AFTERNOON = "afternoon", "Afternoon (noon to 5 pm)"
        EVENING = "evening", "Early evening (5 pm to 7 pm)"

    class Service(models.TextChoices):
        ESKETAMINE = "esketamine", "Esketamine nasal spray (Spravato)"
        IV_KETAMINE = "iv-ketamine", "IV ketamine"
        NOT_SURE = "not-sure", "Not sure yet"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=100)
    phone = models.CharField(max_length=16, blank=True, help_text="Stored as +1XXXXXXXXXX.")
    email = models.EmailField(blank=True)
    preferred_contact = models.CharField(max_length=8, choices=ContactMethod.choices)
    preferred_time = models.CharField(max_length=12, choices=ContactTime.choices, default=ContactTime.ANY)
    service = models.CharField(max_length=12, choices=Service.choices, default=Service.NOT_SURE)
    message = EncryptedTextField(blank=True)
    consent_at = models.DateTimeField(help_text="When the person agreed to be contacted about this inquiry.")

    insurance_carrier = models.CharField(max_length=100, blank=True)
    member_id = EncryptedTextField(blank=True)
    group_number = EncryptedTextField(blank=True)
    patient_dob = EncryptedDateField("patient's date of birth", blank=True, default="")
    patient_is_policy_holder = models.BooleanField(default=True)
    policy_holder_name = EncryptedTextField(blank=True)
    policy_holder_dob = EncryptedDateField("policy holder's date of birth", blank=True, default="")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    urgent = models.BooleanField(default=False, help_text="The message used words that suggest a crisis.")
    received = models.DateTimeField(default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"is_staff": True},
    )
    internal_notes = EncryptedTextField(blank=True, help_text="Only staff see these notes.")

    # Duplicate protection and the notification outbox.
    submission_token = models.CharField(max_length=64, unique=True, editable=False)
    fingerprint = models.CharField(max_length=64, db_index=True, editable=False)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    spam_signal = models.CharField(
        max_length=100, blank=True, editable=False, help_text="Why it was kept as possible spam."
    )
    first_answered_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the front desk first moved it on from New."
    )
    notify_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    notify_attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name_plural = "inquiries"
        ordering = ["-urgent", "received"]
        permissions = [("export_inquiry", "Can export inquiries to CSV")]

    def __str__(self):
        return f"Inquiry #{self.pk} ({self.get_kind_display().lower()})"

    OPEN = ("new", "contacted", "scheduled")  # statuses the front desk still works on

    def save(self, *args, **kwargs):
        """The dates rules, the only place they live. Closed: set when an inquiry is first closed or
        marked spam, kept while it stays so (the retention period counts from it), cleared when it is
        reopened. First answered: set once, when a real inquiry first leaves New (the wait stops)."""
        if self.status in (self.Status.CLOSED, self.Status.SPAM):
            self.closed_at = self.closed_at or timezone.now()
        else:
            self.closed_at = None
        if self.status not in (self.Status.NEW, self.Status.SUSPECT) and self.first_answered_at is None:
            self.first_answered_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.status in self.OPEN

    def get_admin_url(self):
        return reverse("admin:inquiries_inquiry_change", args=[self.pk])

    @property
    def phone_display(self):
        digits = self.phone.removeprefix("+1")
        if len(digits) != 10:
            return self.phone
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The inquiry access log is append-only.")

    def delete(self):
        raise PermissionError("The inquiry access log is append-only.")


class AccessLogEntry(models.Model):
    """One staff look at, change to or export of inquiries. Rows are only ever added."""

    class Action(models.TextChoices):
        LIST = "list", "Listed"
        VIEW = "view", "Viewed"
        CHANGE = "change", "Changed"
        EXPORT = "export", "Exported"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, help_text="Kept even if the account is later removed.")
    action = models.CharField(max_length=8, choices=Action.choices)
    # A plain number, not a foreign key: the log outlives inquiries that are purged.
    inquiry_id = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    detail = models.CharField(max_length=200, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = "inquiry access log entry"
        verbose_name_plural = "inquiry access log"
        ordering = ["-at", "-pk"]

    def __str__(self):
        target = f"inquiry #{self.inquiry_id}" if self.inquiry_id else "inquiries"
        return f"{self.username} {self.get_action_display().lower()} {target} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The inquiry access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The inquiry access log is append-only.")


class RateLimitBucket(models.Model):
    """How many submissions one client made in one rate-limit window. Shared by every worker.

    Taking a slot is a single conditional UPDATE (count < limit), which the database applies atomically,
    so two workers can never both take the last slot, on SQLite or PostgreSQL.
    """

    client = models.CharField(
        max_length=64, help_text="A keyed hash of the client address, never the address."
    )
    window = models.PositiveBigIntegerField(
        help_text="Which window of INQUIRY_RATE_LIMIT seconds since 1970."
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "window"], name="one_bucket_per_client_window")
        ]

    def __str__(self):
        return f"{self.client[:8]}…: {self.count} in window {self.window}"

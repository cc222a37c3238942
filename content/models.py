"""The education pages, the clinic's own details, and what every Markdown document shares.

A document's HTML is rendered by ``content.markdown`` when it is saved and stored beside the Markdown,
so a page request never renders Markdown.
"""

import hashlib
import json
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from accounts.policy import can_see_drafts
from content.checks import check_markdown
from content.markdown import render, validate_markdown
from core.registry import DocumentKind

REVIEW_INTERVAL = timedelta(days=365)
DUE_SOON = timedelta(days=30)


def normalize_newlines(text):
    """CRLF (Windows) and CR (old Mac) line endings as LF: the same text however it was typed."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


class PublishedQuerySet(models.QuerySet):
    def published(self):
        """What patients see, in the order of the live versions."""
        return self.filter(published=True).order_by("live_order", "live_slug")

    def visible_to(self, user):
        """What a visitor may open: published documents; staff who may change this kind of document (two-
        factor verified) also see unpublished ones."""
        return self if can_see_drafts(user, self.model) else self.published()

    def moved_from(self, slug):
        """The document that was live at this address before it moved, or None."""
        found = AddressRedirect.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), old_slug=slug
        ).first()
        return self.filter(pk=found.object_id).first() if found else None

    def known_by(self, slug):
        """The document this address means: its draft address, its live one, or one it moved from."""
        return self.filter(slug=slug).first() or self.filter(live_slug=slug).first() or self.moved_from(slug)

    def waiting_for_review(self):
        """Drafts with changes patients do not see yet."""
        return self.filter(draft_changes=True)

    def review_overdue(self, today=None):
        """Never clinically reviewed, or past the date the next review was due."""
        today = today or timezone.localdate()
        return self.filter(models.Q(next_review_due__isnull=True) | models.Q(next_review_due__lt=today))

    def review_due_soon(self, today=None):
        """Due for clinical review within the next 30 days (today included)."""
        today = today or timezone.localdate()
        return self.filter(next_review_due__gte=today, next_review_due__lte=today + DUE_SOON)


class MarkdownDocument(models.Model):
    """A Markdown document with references, a draft staff work on, and the live version patients see.

    The model's own fields are the working draft. Publishing copies the rendered draft into `live`;
    visitors only ever see `live`, so saving a draft never changes what patients read. Drafts, publishing
    and review change through content.publishing, never by setting these fields elsewhere.
    """

    slug = models.SlugField(unique=True, max_length=80, help_text="The last part of the web address.")
    summary = models.CharField(
        max_length=200,
        help_text="One or two plain sentences. Shown in lists and used as the search-engine description.",
    )
    body = MarkdownxField(
        help_text="Markdown. Start sections with ## and phrase headings as questions.",
        validators=[validate_markdown],
    )
    body_html = models.TextField(editable=False, default="")
    toc = models.JSONField(editable=False, default=list, help_text="The body's second-level headings.")
    references = MarkdownxField(
        blank=True,
        help_text="Sources a reader can check, one Markdown list item (- ...) each.",
        validators=[validate_markdown],
    )
    references_html = models.TextField(editable=False, default="")
    nav_order = models.PositiveIntegerField(default=100, help_text="Lower numbers come first in lists.")
    next_review_due = models.DateField(
        null=True,
        blank=True,
        help_text="Set to 12 months after each clinical review. Only clinical reviewers can change it.",
    )
    source_checksum = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Checksum of the authored file as last loaded; tells a staff edit from the original.",
    )
    source_file = models.CharField(
        max_length=80,
        blank=True,
        editable=False,
        db_index=True,
        help_text="The authored file (<app>/pages/<name>.md) it was loaded from; empty when staff made it.",
    )
    # The draft's version number, one more with every save: a form saved from an older version is
    # refused instead of overwriting someone else's work.
    version = models.PositiveIntegerField(default=0, editable=False)
    # The plain-language check of the draft, made when it is saved (lists show it without rechecking).
    check_results = models.JSONField(default=dict, editable=False)
    draft_changes = models.BooleanField(
        default=True, editable=False, help_text="The draft differs from what patients see."
    )

    # What patients see: the published version, and the address and order it has there.
    published = models.BooleanField(
        default=False, editable=False, help_text="Patients can see the live version."
    )
    live = models.JSONField(null=True, blank=True, editable=False, help_text="The version patients see.")
    live_slug = models.SlugField(max_length=80, null=True, blank=True, unique=True, editable=False)
    live_order = models.PositiveIntegerField(default=100, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    # A version set to go live (and a time to come down), run by the publish_scheduled command.
    scheduled = models.JSONField(null=True, blank=True, editable=False)
    publish_at = models.DateTimeField(null=True, blank=True, editable=False)
    unpublish_at = models.DateTimeField(null=True, blank=True, editable=False)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = PublishedQuerySet.as_manager()
    # Every saved draft, with who saved it: compare and restore in the admin. What is live, the review
    # and the rendered HTML are not versioned, so restoring an old text never changes them by itself.
    history = HistoricalRecords(
        inherit=True,
        excluded_fields=[
            "body_html",
            "toc",
            "references_html",
            "live",
            "live_slug",
            "live_order",
            "published",
            "published_at",
            "source_checksum",
            "source_file",
            "next_review_due",
            "check_results",
            "draft_changes",
            "scheduled",
            "publish_at",
            "unpublish_at",
            "scheduled_by",
        ],
    )

    # Fields that load_content fills from an authored file, besides the subclass's own.
    AUTHORED_FIELDS = ("summary", "body", "references", "nav_order")
    # What patients see, copied from the draft when it is published (with the address, the order in
    # lists and the relations: see draft_snapshot).
    LIVE_FIELDS = ("title", "summary", "body_html", "toc", "references_html")
    # What a clinical review vouches for: a review counts for a version only while these are unchanged.
    REVIEWED_FIELDS = ("title", "summary", "body", "references")
    # Links to other documents that are part of a version: {field name: many (True) or one (False)}.
    RELATIONS = {}

    class Meta:
        abstract = True
        ordering = ["nav_order", "slug"]

    def save(self, *args, **kwargs):
        """Render the Markdown when it has changed since it was last rendered, never otherwise.

        Line endings are stored as LF: text pasted from Windows (CRLF) is the same text, not a change.
        """
        for name in ("body", "references"):
            setattr(self, name, normalize_newlines(getattr(self, name)))
        update_fields = kwargs.get("update_fields")
        text_saved = update_fields is None or {"body", "references"} & set(update_fields)
        if text_saved and getattr(self, "_rendered_text", None) != (self.body, self.references):
            rendered = render(self.body)
            self.body_html = rendered.html
            self.toc = rendered.toc
            self.references_html = render(self.references).html
            self._rendered_text = (self.body, self.references)
            # The plain-language check is stored with the text, so lists never recheck every row.
            self.check_report = check_markdown(self.body)
            self.check_results = {"grade": self.check_report.grade, "problems": self.check_report.problems}
            if update_fields is not None:
                kwargs["update_fields"] = {
                    *update_fields,
                    "body_html",
                    "toc",
                    "references_html",
                    "check_results",
                }
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        document = super().from_db(db, field_names, values)
        if "body" in field_names and "references" in field_names:
            document._rendered_text = (document.body, document.references)
        return document

    def authored_checksum(self):
        """A checksum of the fields an authored file sets, as they are now."""
        values = {name: str(getattr(self, name)) for name in self.AUTHORED_FIELDS}
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()

    @property
    def is_edited(self):
        """True when staff have changed what load_content last wrote."""
        return bool(self.source_checksum) and self.source_checksum != self.authored_checksum()

    # Drafts and publishing ------------------------------------------------------------------------

    def fingerprint(self):
        """What a clinical review vouches for, as one value: equal fingerprints, the same reviewed text."""
        values = {name: normalize_newlines(str(getattr(self, name))).strip() for name in self.REVIEWED_FIELDS}
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()

    def relation_ids(self):
        """{relation name: [ids] or id or None} as the draft has them now."""
        found = {}
        for name, many in self.RELATIONS.items():
            if many:
                found[name] = sorted(getattr(self, name).values_list("pk", flat=True)) if self.pk else []
            else:
                found[name] = getattr(self, f"{name}_id")
        return found

    def draft_snapshot(self):
        """The draft as a version: everything patients would see if it were published now."""
        return {
            **{name: getattr(self, name) for name in self.LIVE_FIELDS},
            "slug": self.slug,
            "nav_order": self.nav_order,
            "relations": self.relation_ids(),
            "fingerprint": self.fingerprint(),
        }

    @property
    def has_unpublished_changes(self):
        return not self.published or self.live != self.draft_snapshot()

    def shown_version(self, *, live):
        """The live version (what patients see) or the draft, as one object for the templates."""
        snapshot = self.live if live and self.live else self.draft_snapshot()
        return SimpleNamespace(**{"relations": {}, "fingerprint": "", **snapshot})

    @property
    def address_slug(self):
        """The last part of the public address: the live one once published, else the draft's."""
        return self.live_slug if self.published and self.live_slug else self.slug

    @property
    def live_title(self):
        return (self.live or {}).get("title", self.title)

    @property
    def live_summary(self):
        return (self.live or {}).get("summary", self.summary)

    # Clinical review --------------------------------------------------------------------------------

    @property
    def review_overdue(self):
        return self.next_review_due is None or self.next_review_due < timezone.localdate()

    def reviews(self):
        return Review.objects.filter(
            content_type=ContentType.objects.get_for_model(self), object_id=self.pk
        ).order_by("-reviewed_at", "-pk")

    def review_of(self, fingerprint):
        """The latest review of the version with this fingerprint, or None."""
        return self.reviews().filter(fingerprint=fingerprint).first() if fingerprint and self.pk else None

    @property
    def last_review(self):
        return self.reviews().first() if self.pk else None

    @property
    def earlier_live_review(self):
        """The latest review of a version patients once read (never one of a draft nobody saw)."""
        return self.reviews().filter(went_live=True).first() if self.pk else None

    @property
    def live_review(self):
        """The review of the text patients read now, or None (never reviewed, or changed since)."""
        return self.review_of((self.live or {}).get("fingerprint")) if self.published else None

    @property
    def draft_review(self):
        return self.review_of(self.fingerprint())


class Page(MarkdownDocument):
    """An education page: what ketamine therapy is, how it works, side effects, and so on."""

    title = models.CharField(max_length=120)
    related = models.ManyToManyField("self", blank=True, symmetrical=False, related_name="+")
    next_page = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The one next step at the end of the page. Empty: invite the reader to contact us.",
    )

    AUTHORED_FIELDS = ("title", *MarkdownDocument.AUTHORED_FIELDS)
    document_kind = DocumentKind(
        detail_url_name="content:page_detail",
        list_url_name="content:page_list",
        home_template="content/home_section.html",
        order=0,
    )
    # How content/pages/<slug>.md maps onto a Page (see content.loading).
    LOAD_ORDER = 0
    FRONT_MATTER_REQUIRED = ("title", "summary")
    FRONT_MATTER_FIELDS = {}
    FRONT_MATTER_RELATIONS = {"related": ("related", "content.Page"), "next": ("next_page", "content.Page")}
    RELATIONS = {"related": True, "next_page": False}

    class Meta(MarkdownDocument.Meta):
        permissions = [
            ("publish_page", "Can publish pages"),
            ("review_page", "Can mark pages clinically reviewed"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("content:page_detail", kwargs={"slug": self.address_slug})


class Review(models.Model):
    """A clinical reviewer's word that one version of a document is right: exactly the text they saw.

    The fingerprint ties the review to that version; a page shows "Last reviewed" only while the text
    patients read has the same fingerprint.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64, db_index=True, blank=True)
    version = models.PositiveIntegerField(null=True, help_text="The draft's version number when reviewed.")
    snapshot = models.JSONField(default=dict, help_text="The version the reviewer saw, as rendered.")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_name = models.CharField(max_length=120)
    reviewer_credentials = models.CharField(max_length=120, blank=True)
    reviewed_at = models.DateTimeField(default=timezone.now)
    went_live = models.BooleanField(default=False, help_text="Patients have read this version.")

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.reviewer_name}, {timezone.localtime(self.reviewed_at):%B %d, %Y}"

    @property
    def reviewed_on(self):
        return timezone.localdate(self.reviewed_at)


class AddressRedirect(models.Model):
    """An address a document had when it was live: it answers with a permanent redirect to where the
    document lives now, so a bookmark or a search result never breaks."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    old_slug = models.SlugField(max_length=80)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "old_slug"], name="one_redirect_per_address")
        ]

    def __str__(self):
        return self.old_slug


class ClinicalReviewer(models.Model):
    """A staff member who reviews pages clinically, with the credentials shown beside their name."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinical_reviewer"
    )
    credentials = models.CharField(
        max_length=120, help_text="As patients should read it, e.g. 'MD, psychiatrist'."
    )

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.get_username()}, {self.credentials}"


class ClinicProfile(models.Model):
    """The clinic's name and how to reach it: one record, shown in the footer of every page.

    Like a page, it has a draft (its fields, what staff edit) and a live version (what patients see): a
    changed phone number reaches the site only when someone with the publish permission publishes it.
    """

    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=30, help_text="As it should be shown, e.g. (555) 010-0100.")
    email = models.EmailField()
    street_address = models.CharField(max_length=200)
    locality = models.CharField("city", max_length=100)
    region = models.CharField("state", max_length=50)
    postal_code = models.CharField("ZIP code", max_length=20)
    hours = models.TextField(help_text="One line per day or range of days, e.g. 'Mon–Fri 8:00 am–5:00 pm'.")
    service_area = models.CharField(max_length=200, help_text="Where patients come from, in plain words.")
    response_time = models.CharField(
        max_length=100,
        default="within one business day",
        help_text="How soon the front desk answers an inquiry, ending the sentence 'We will reach you …'.",
    )
    live = models.JSONField(null=True, blank=True, editable=False, help_text="The version patients see.")
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["live", "published_at"])

    # What patients see: copied into `live` when the profile is published.
    PUBLIC_FIELDS = (
        "name",
        "phone",
        "email",
        "street_address",
        "locality",
        "region",
        "postal_code",
        "hours",
        "service_area",
        "response_time",
    )

    class Meta:
        verbose_name = "clinic profile"
        verbose_name_plural = "clinic profile"
        permissions = [("publish_clinicprofile", "Can publish the clinic profile")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if getattr(self, "_is_live_copy", False):
            raise TypeError("The live version of the clinic profile is read-only; publish the draft instead.")
        self.pk = 1  # there is only ever one clinic profile
        super().save(*args, **kwargs)

    def draft_values(self):
        return {name: getattr(self, name) for name in self.PUBLIC_FIELDS}

    @property
    def has_unpublished_changes(self):
        return self.live != self.draft_values()

    def live_version(self):
        """The published details as a read-only profile, or None when nothing was published yet."""
        if not self.live:
            return None
        copy = ClinicProfile(pk=self.pk, **{name: self.live.get(name, "") for name in self.PUBLIC_FIELDS})
        copy._is_live_copy = True
        return copy

    @classmethod
    def load(cls):
        return cls.objects.filter(pk=1).first()

    @classmethod
    def for_request(cls, request):
        """The live profile patients see, read once per request however many templates ask for it."""
        if not hasattr(request, "_clinic_profile"):
            profile = cls.load()
            request._clinic_profile = profile.live_version() if profile else None
        return request._clinic_profile

    @property
    def phone_href(self):
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        if len(digits) == 10:
            digits = "1" + digits
        return f"tel:+{digits}"

    @property
    def hours_lines(self):
        return [line.strip() for line in self.hours.splitlines() if line.strip()]

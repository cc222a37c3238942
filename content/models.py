"""The education pages, the clinic's own details, and what every Markdown document shares.

A document's HTML is rendered by ``content.markdown`` when it is saved and stored beside the Markdown,
so a page request never renders Markdown.
"""

import hashlib
import json

from django.db import models
from django.urls import reverse
from markdownx.models import MarkdownxField

from content.markdown import render


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def visible_to(self, user):
        """What a visitor may open: published documents; staff also see unpublished ones."""
        return self if user.is_active and user.is_staff else self.published()


class MarkdownDocument(models.Model):
    """A published, clinically reviewed Markdown document with references."""

    slug = models.SlugField(unique=True, max_length=80, help_text="The last part of the web address.")
    summary = models.CharField(
        max_length=200,
        help_text="One or two plain sentences. Shown in lists and used as the search-engine description.",
    )
    body = MarkdownxField(help_text="Markdown. Start sections with ## and phrase headings as questions.")
    body_html = models.TextField(editable=False, default="")
    toc = models.JSONField(editable=False, default=list, help_text="The body's second-level headings.")
    references = MarkdownxField(
        blank=True, help_text="Sources a reader can check, one Markdown list item (- ...) each."
    )
    references_html = models.TextField(editable=False, default="")
    nav_order = models.PositiveIntegerField(default=100, help_text="Lower numbers come first in lists.")
    published = models.BooleanField(default=False)
    last_reviewed = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    reviewer_name = models.CharField("clinical reviewer", max_length=120, blank=True)
    reviewer_credentials = models.CharField(
        max_length=120, blank=True, help_text="For example: MD, board-certified psychiatrist."
    )
    source_checksum = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Checksum of the authored file as last loaded; tells a staff edit from the original.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = PublishedQuerySet.as_manager()

    # Fields that load_content fills from an authored file, besides the subclass's own.
    AUTHORED_FIELDS = ("summary", "body", "references", "nav_order")

    class Meta:
        abstract = True
        ordering = ["nav_order", "slug"]

    def save(self, *args, **kwargs):
        rendered = render(self.body)
        self.body_html = rendered.html
        self.toc = rendered.toc
        self.references_html = render(self.references).html
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "body_html", "toc", "references_html"}
        super().save(*args, **kwargs)

    def authored_checksum(self):
        """A checksum of the fields an authored file sets, as they are now."""
        values = {name: str(getattr(self, name)) for name in self.AUTHORED_FIELDS}
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()

    @property
    def is_edited(self):
        """True when staff have changed what load_content last wrote."""
        return bool(self.source_checksum) and self.source_checksum != self.authored_checksum()


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
    # How content/pages/<slug>.md maps onto a Page (see content.loading).
    LOAD_ORDER = 0
    FRONT_MATTER_REQUIRED = ("title", "summary")
    FRONT_MATTER_FIELDS = {}
    FRONT_MATTER_RELATIONS = {"related": ("related", "content.Page"), "next": ("next_page", "content.Page")}

    class Meta(MarkdownDocument.Meta):
        pass

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("content:page_detail", kwargs={"slug": self.slug})


class ClinicProfile(models.Model):
    """The clinic's name and how to reach it: one record, shown in the footer of every page."""

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

    class Meta:
        verbose_name = "clinic profile"
        verbose_name_plural = "clinic profile"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1  # there is only ever one clinic profile
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        return cls.objects.filter(pk=1).first()

    @property
    def phone_href(self):
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        if len(digits) == 10:
            digits = "1" + digits
        return f"tel:+{digits}"

    @property
    def hours_lines(self):
        return [line.strip() for line in self.hours.splitlines() if line.strip()]

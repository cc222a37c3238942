"""Conditions that ketamine treatment is used or studied for, grouped by how strong the evidence is."""

from django.db import models
from django.urls import reverse

from content.models import MarkdownDocument
from core.registry import DocumentKind


class EvidenceLevel(models.TextChoices):
    # The order here is the order of the groups on /conditions/.
    FDA_APPROVED = "fda-approved", "FDA-approved treatment"
    CLINICAL_TRIALS = "clinical-trials", "Studied in clinical trials"
    EARLY_RESEARCH = "early-research", "Early research"


EVIDENCE_EXPLAINED = {
    EvidenceLevel.FDA_APPROVED: (
        "The FDA has approved esketamine nasal spray (Spravato) for these. "
        "Other forms of ketamine are still used off-label."
    ),
    EvidenceLevel.CLINICAL_TRIALS: (
        "Tested in clinical trials, often small ones. No ketamine product is FDA-approved for these, "
        "so any use is off-label."
    ),
    EvidenceLevel.EARLY_RESEARCH: (
        "Only a few small studies so far. We know much less about how well it works or how long it lasts."
    ),
}


class Condition(MarkdownDocument):
    name = models.CharField(max_length=120)
    evidence_level = models.CharField(max_length=20, choices=EvidenceLevel.choices)
    related_pages = models.ManyToManyField("content.Page", blank=True, related_name="conditions")

    AUTHORED_FIELDS = ("name", "evidence_level", *MarkdownDocument.AUTHORED_FIELDS)
    document_kind = DocumentKind(
        detail_url_name="conditions:condition_detail",
        list_url_name="conditions:condition_list",
        home_template="conditions/home_section.html",
        order=1,
    )
    # How conditions/pages/<slug>.md maps onto a Condition (see content.loading).
    LOAD_ORDER = 1
    FRONT_MATTER_REQUIRED = ("name", "summary", "evidence")
    FRONT_MATTER_FIELDS = {"evidence": "evidence_level"}
    FRONT_MATTER_RELATIONS = {"related_pages": ("related_pages", "content.Page")}

    LIVE_FIELDS = (*MarkdownDocument.LIVE_FIELDS, "evidence_level")
    REVIEWED_FIELDS = (*MarkdownDocument.REVIEWED_FIELDS, "evidence_level")
    RELATIONS = {"related_pages": True}

    class Meta(MarkdownDocument.Meta):
        permissions = [
            ("publish_condition", "Can publish conditions"),
            ("review_condition", "Can mark conditions clinically reviewed"),
        ]

    def __str__(self):
        return self.name

    @property
    def title(self):
        return self.name

    @property
    def live_evidence_level(self):
        return (self.live or {}).get("evidence_level", self.evidence_level)

    def get_absolute_url(self):
        return reverse("conditions:condition_detail", kwargs={"slug": self.address_slug})

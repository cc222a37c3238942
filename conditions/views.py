"""The conditions list, grouped by how strong the evidence is, and one condition's page."""

from django.urls import reverse
from django.views.generic import ListView

from conditions.models import EVIDENCE_EXPLAINED, Condition, EvidenceLevel
from content.models import Page
from content.views import DocumentDetailView


class ConditionListView(ListView):
    queryset = Condition.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conditions = list(context["object_list"])
        context["groups"] = [
            {
                "level": level,
                "label": level.label,
                "explained": EVIDENCE_EXPLAINED[level],
                "conditions": [c for c in conditions if c.live_evidence_level == level],
            }
            for level in EvidenceLevel
        ]
        context["breadcrumbs"] = [("Home", reverse("core:home")), ("Conditions", None)]
        return context


class ConditionDetailView(DocumentDetailView):
    model = Condition
    section = ("Conditions", "conditions:condition_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = context["shown"]
        context["related"] = self.related(
            Page, shown.relations.get("related_pages", []), live=context["show_live"]
        )
        level = EvidenceLevel(context["shown"].evidence_level)
        context["evidence"] = {"label": level.label, "explained": EVIDENCE_EXPLAINED[level]}
        return context

"""The admin's history pages for documents and the clinic profile: what changed, and restoring a version."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from content.history import compare_versions


class HistoryCompareMixin:
    """The history list gets a "compare" link per version: a line-by-line diff with the version before."""

    history_list_display = ["compare"]

    @admin.display(description="Compare")
    def compare(self, record):
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_compare", args=[record.id, record.history_id]
        )
        return format_html('<a href="{}">What changed</a>', url)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_compare"
        view = self.admin_site.admin_view(self.compare_view)
        return [
            path("<int:object_id>/history/<int:history_id>/compare/", view, name=name),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        if not str(object_id).isdigit():
            raise Http404("No such document.")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """An address with something other than numbers in it is a page that does not exist (404), never a 500."""
        if not (str(object_id).isdigit() and str(version_id).isdigit()):
            raise Http404("No such version.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def compare_view(self, request, object_id, history_id):
        obj = get_object_or_404(self.model, pk=object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        record = get_object_or_404(self.model.history.filter(id=object_id), history_id=history_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"What changed in “{obj}” on {record.history_date:%B %d, %Y %H:%M}",
            "record": record,
            "changes": compare_versions(record),
        }
        return TemplateResponse(request, "admin/content/compare.html", context)

from django.contrib import admin

from conditions.models import Condition
from content.admin import DocumentAdmin


@admin.register(Condition)
class ConditionAdmin(DocumentAdmin):
    list_display = (
        "name",
        "evidence_level",
        "publication",
        "reading_grade",
        "check_problems",
        "next_review_due",
    )
    list_display_links = ("name",)
    list_filter = ("evidence_level", *DocumentAdmin.list_filter)
    search_fields = ("name", *DocumentAdmin.search_fields)
    slug_source = "name"
    fieldsets = (
        (None, {"fields": ("name", "slug", "evidence_level", "summary", "body", "references")}),
        DocumentAdmin.check_fieldset,
        ("Placement", {"fields": ("nav_order", "related_pages")}),
        DocumentAdmin.publishing_fieldset,
        DocumentAdmin.review_fieldset,
    )

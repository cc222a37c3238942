from django.contrib import admin

from conditions.models import Condition
from content.admin import DocumentAdmin


@admin.register(Condition)
class ConditionAdmin(DocumentAdmin):
    list_display = ("name", "evidence_level", "published", "nav_order", "last_reviewed", "next_review_due")
    list_display_links = ("name",)
    list_filter = ("evidence_level", *DocumentAdmin.list_filter)
    search_fields = ("name", *DocumentAdmin.search_fields)
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("related_pages",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "evidence_level", "summary", "body", "references")}),
        ("Placement", {"fields": ("published", "nav_order", "related_pages")}),
        DocumentAdmin.review_fieldset,
    )

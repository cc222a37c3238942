"""Staff editing: pages and the clinic profile, with markdownx's live preview of the public HTML."""

from django.contrib import admin
from markdownx.admin import MarkdownxModelAdmin

from content.models import ClinicProfile, Page


class DocumentAdmin(MarkdownxModelAdmin):
    """What pages and conditions share: review columns, filters and the review fieldset."""

    list_filter = ("published", "next_review_due")
    search_fields = ("slug", "summary", "body")
    readonly_fields = ("updated",)
    review_fieldset = (
        "Clinical review",
        {"fields": ("last_reviewed", "next_review_due", "reviewer_name", "reviewer_credentials", "updated")},
    )

    class Media:
        css = {"all": ("css/admin-preview.css",)}


@admin.register(Page)
class PageAdmin(DocumentAdmin):
    list_display = ("title", "published", "nav_order", "last_reviewed", "next_review_due")
    list_display_links = ("title",)
    search_fields = ("title", *DocumentAdmin.search_fields)
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("related",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body", "references")}),
        ("Placement", {"fields": ("published", "nav_order", "related", "next_page")}),
        DocumentAdmin.review_fieldset,
    )


@admin.register(ClinicProfile)
class ClinicProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "email")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ClinicProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

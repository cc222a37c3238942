"""Staff editing: drafts, publishing, clinical review and plain-language checks for every document.

Saving keeps a draft; patients see a document only once someone with the publish permission publishes
it. The same checks (content.checks) show on the edit page, in the list and when publishing.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from markdownx.admin import MarkdownxModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from content import publishing
from content.admin_history import HistoryCompareMixin
from content.checks import check_markdown
from content.models import ClinicalReviewer, ClinicProfile, Page

admin.site.index_template = "admin/clinic_index.html"


class ReviewDueFilter(admin.SimpleListFilter):
    title = "clinical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue or never reviewed"), ("soon", "Due within 30 days")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "soon":
            return queryset.review_due_soon()
        return queryset


class DocumentAdmin(HistoryCompareMixin, SimpleHistoryAdmin, MarkdownxModelAdmin):
    """What pages and conditions share: drafts and publishing, review, checks, columns and filters."""

    list_filter = ("published", ReviewDueFilter)
    search_fields = ("slug", "summary", "body")
    readonly_fields = ("publication", "plain_language_check", "last_reviewed", "reviewer", "updated")
    actions = ["publish_selected", "unpublish_selected", "mark_reviewed_selected"]
    review_fieldset = ("Clinical review", {"fields": ("last_reviewed", "reviewer", "next_review_due")})
    check_fieldset = ("Plain-language check (updated as you type)", {"fields": ("plain_language_check",)})
    publishing_fieldset = ("Publishing", {"fields": ("publication", "updated")})

    class Media:
        js = ("js/admin-checks.js",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # A list of checkboxes: accessible, unlike the two-box filter widget, and enough for a few dozen pages.
        kwargs["widget"] = forms.CheckboxSelectMultiple(attrs={"class": "checkbox-list"})
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # Permissions (the rules themselves are content.publishing's) --------------------------------------

    def has_publish_permission(self, request, obj=None):
        return publishing.can_publish(user=request.user, document=obj or self.model())

    def has_review_permission(self, request, obj=None):
        return publishing.can_review(user=request.user, document=obj or self.model())

    # Columns and read-only fields -------------------------------------------------------------------

    @admin.display(description="Status", ordering="published")
    def publication(self, obj):
        if obj.pk is None:
            return "New draft"
        if not obj.published:
            return "Draft only: patients cannot see it"
        if obj.has_unpublished_changes:
            return "Live, with unpublished draft changes"
        return "Live"

    @admin.display(description="Reviewed by")
    def reviewer(self, obj):
        return f"{obj.reviewer_name}, {obj.reviewer_credentials}" if obj.reviewer_name else "Not yet reviewed"

    @staticmethod
    def _report(obj):
        """The check of this document's draft, made once however many columns show it."""
        if getattr(obj, "_checked_body", None) != obj.body:
            obj._check_report, obj._checked_body = check_markdown(obj.body), obj.body
        return obj._check_report

    @admin.display(description="Grade")
    def reading_grade(self, obj):
        return f"{self._report(obj).grade:.1f}"

    @admin.display(description="Check problems")
    def check_problems(self, obj):
        return len(self._report(obj).problems)

    @admin.display(description="Plain-language check")
    def plain_language_check(self, obj):
        if obj.pk is None:
            return "Save the draft to see the check."
        return render_to_string("admin/content/check_report.html", {"report": self._report(obj)})

    # Saving, publishing, reviewing -------------------------------------------------------------------

    def render_change_form(self, request, context, *args, **kwargs):
        context.update(
            can_publish=self.has_publish_permission(request, context.get("original")),
            can_review=self.has_review_permission(request, context.get("original")),
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        record = getattr(request, "_restoring_record", None)
        if record is not None:
            report = publishing.restore_version(document=obj, record=record, user=request.user)
        else:
            report = publishing.save_draft(document=obj, user=request.user)
        if report.problems:
            shown = "; ".join(report.problems[:5]) + ("; …" if len(report.problems) > 5 else "")
            self.message_user(
                request, f"Saved, with {len(report.problems)} things to check: {shown}", messages.WARNING
            )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Restoring an old version goes through content.publishing.restore_version."""
        if request.method == "POST" and str(object_id).isdigit() and str(version_id).isdigit():
            request._restoring_record = get_object_or_404(
                self.model.history.filter(id=object_id), history_id=version_id
            )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self._after_save(request, obj) or super().response_change(request, obj)

    def _change_url(self, obj):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])

    def _after_save(self, request, obj):
        if "_publish" in request.POST:
            if self._publish(request, obj, confirmed=False):
                return redirect(self._change_url(obj))
            if self._needs_confirmation(request, obj):
                return redirect(self._publish_url(obj))
            return redirect(self._change_url(obj))
        if "_mark_reviewed" in request.POST:
            self._mark_reviewed(request, [obj])
            return redirect(self._change_url(obj))
        return None

    def _publish_url(self, obj):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_publish", args=[obj.pk])

    def _needs_confirmation(self, request, obj):
        return (
            self.has_publish_permission(request, obj)
            and obj.review_overdue
            and not check_markdown(obj.body).blocks_publishing
        )

    def _publish(self, request, obj, *, confirmed):
        """Publish through content.publishing; True when it went live. Overdue review needs `confirmed`."""
        try:
            publishing.publish(document=obj, user=request.user, confirm_overdue=confirmed)
        except publishing.ReviewOverdue:
            return False
        except publishing.PublishingError as error:
            self.message_user(request, str(error), messages.ERROR)
            return False
        self.message_user(request, f"“{obj}” is published. Patients can see it now.", messages.SUCCESS)
        return True

    def _each(self, request, documents, service, done):
        """Call a publishing service for each document; stop at the first refusal and say why."""
        count = 0
        for document in documents:
            try:
                service(document=document, user=request.user)
            except publishing.PublishingError as error:
                self.message_user(request, str(error), messages.ERROR)
                return
            count += 1
        self.message_user(request, f"{count} {done}.", messages.SUCCESS)

    def _mark_reviewed(self, request, documents):
        self._each(request, documents, publishing.mark_reviewed, "marked clinically reviewed today")

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_publish"
        return [
            path("<int:object_id>/publish/", self.admin_site.admin_view(self.publish_view), name=name),
            *super().get_urls(),
        ]

    def publish_view(self, request, object_id):
        """Confirm publishing a document whose clinical review is overdue."""
        obj = get_object_or_404(self.model, pk=object_id)
        if not self.has_publish_permission(request, obj):
            raise PermissionDenied
        if request.method == "POST":
            self._publish(request, obj, confirmed=True)
            return redirect(self._change_url(obj))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"Publish “{obj}”?",
            "report": check_markdown(obj.body),
        }
        return TemplateResponse(request, "admin/content/publish_confirm.html", context)

    @admin.action(description="Publish selected (review must not be overdue)", permissions=["publish"])
    def publish_selected(self, request, queryset):
        for obj in queryset:
            if obj.review_overdue:
                self.message_user(
                    request,
                    f"“{obj}” not published: its review is overdue. Open it to publish it anyway.",
                    messages.WARNING,
                )
            else:
                self._publish(request, obj, confirmed=False)

    @admin.action(description="Unpublish selected (patients stop seeing them)", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._each(request, queryset, publishing.unpublish, "unpublished")

    @admin.action(description="Mark selected as clinically reviewed today", permissions=["review"])
    def mark_reviewed_selected(self, request, queryset):
        self._mark_reviewed(request, list(queryset))


@admin.register(Page)
class PageAdmin(DocumentAdmin):
    list_display = (
        "title",
        "publication",
        "reading_grade",
        "check_problems",
        "last_reviewed",
        "next_review_due",
    )
    list_display_links = ("title",)
    search_fields = ("title", *DocumentAdmin.search_fields)
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body", "references")}),
        DocumentAdmin.check_fieldset,
        ("Placement", {"fields": ("nav_order", "related", "next_page")}),
        DocumentAdmin.publishing_fieldset,
        DocumentAdmin.review_fieldset,
    )


@admin.register(ClinicalReviewer)
class ClinicalReviewerAdmin(admin.ModelAdmin):
    list_display = ("user", "credentials")
    autocomplete_fields = ("user",)


@admin.register(ClinicProfile)
class ClinicProfileAdmin(HistoryCompareMixin, SimpleHistoryAdmin):
    list_display = ("name", "phone", "email")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ClinicProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

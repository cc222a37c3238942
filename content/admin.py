"""Staff editing: drafts, publishing, clinical review and plain-language checks for every document.

Saving keeps a draft; patients see a document only once someone with the publish permission publishes
it. The same checks (content.checks) show on the edit page, in the list and when publishing.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from markdownx.admin import MarkdownxModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from content import publishing
from content.admin_history import HistoryCompareMixin
from content.checks import check_markdown
from content.models import ClinicalReviewer, ClinicProfile, Page
from content.versions import compare_for_review

admin.site.index_template = "admin/clinic_index.html"


class ReviewDueFilter(admin.SimpleListFilter):
    title = "clinical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("waiting", "Draft changes waiting"),
            ("overdue", "Overdue or never reviewed"),
            ("soon", "Due within 30 days"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.waiting_for_review()
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "soon":
            return queryset.review_due_soon()
        return queryset


class DocumentForm(forms.ModelForm):
    """The edit form carries the version it was opened on: a save over someone else's newer save is
    refused with the typed text kept on screen (the check runs inside the admin's transaction, with
    the row locked, so two saves cannot both pass it)."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        opened_on = cleaned.get("opened_version")
        if self.instance.pk is None or opened_on is None:
            return cleaned
        model = type(self.instance)
        saved = model.objects.select_for_update().filter(pk=self.instance.pk).values("version").first()
        if saved and saved["version"] != opened_on:
            error = publishing.EditConflict(self.instance, saved_version=saved["version"])
            history = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[self.instance.pk]
            )
            raise forms.ValidationError(
                format_html('{} <a href="{}">Their version is in the history.</a>', error, history)
            )
        return cleaned


class DocumentAdmin(HistoryCompareMixin, SimpleHistoryAdmin, MarkdownxModelAdmin):
    """What pages and conditions share: drafts and publishing, review, checks, columns and filters."""

    form = DocumentForm
    list_filter = ("published", ReviewDueFilter)
    search_fields = ("slug", "summary", "body")
    readonly_fields = ("publication", "plain_language_check", "review_status", "schedule_status", "updated")
    actions = ["unpublish_selected"]
    review_fieldset = ("Clinical review", {"fields": ("review_status", "next_review_due")})
    check_fieldset = ("Plain-language check (updated as you type)", {"fields": ("plain_language_check",)})
    publishing_fieldset = ("Publishing", {"fields": ("publication", "schedule_status", "updated")})

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

    def get_readonly_fields(self, request, obj=None):
        """The address needs the publish permission once the document exists; the review date needs a
        clinical reviewer. Read-only fields are not in the form, so a posted value is ignored."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_publish_permission(request, obj):
            fields.append("slug")
        if not self.has_review_permission(request, obj):
            fields.append("next_review_due")
        return fields

    slug_source = "title"  # a new document's address is suggested from this field as staff type

    def get_fieldsets(self, request, obj=None):
        """The first fieldset also carries the hidden version the form was opened on."""
        (name, options), *rest = super().get_fieldsets(request, obj)
        return [(name, {**options, "fields": (*options["fields"], "opened_version")}), *rest]

    def get_prepopulated_fields(self, request, obj=None):
        # Only while adding: afterwards the address may be read-only (and history's forms show no slug).
        return {"slug": (self.slug_source,)} if obj is None else {}

    # Columns and read-only fields -------------------------------------------------------------------

    @admin.display(description="Status", ordering="published")
    def publication(self, obj):
        if obj.pk is None:
            return "New draft"
        if not obj.published:
            return "Draft only: patients cannot see it"
        if obj.draft_changes:
            return "Live, with draft changes patients do not see yet"
        return "Live"

    @admin.display(description="Clinical review")
    def review_status(self, obj):
        return review_summary(obj)

    @admin.display(description="Scheduled")
    def schedule_status(self, obj):
        parts = []
        if obj.publish_at:
            parts.append(
                f"Version {(obj.scheduled or {}).get('version', '?')} goes live {_when(obj.publish_at)}"
            )
        elif obj.scheduled and obj.scheduled.get("failed"):
            parts.append(f"Scheduled publishing did not happen: {obj.scheduled['failed']}.")
        if obj.unpublish_at:
            parts.append(f"Comes down {_when(obj.unpublish_at)}")
        return "; ".join(parts) or "Nothing scheduled"

    @admin.display(description="Grade")
    def reading_grade(self, obj):
        grade = obj.check_results.get("grade")
        return "–" if grade is None else f"{grade:.1f}"

    @admin.display(description="Check problems")
    def check_problems(self, obj):
        return len(obj.check_results.get("problems", []))

    @admin.display(description="Plain-language check")
    def plain_language_check(self, obj):
        if obj.pk is None:
            return "Save the draft to see the check."
        return render_to_string("admin/content/check_report.html", {"report": check_markdown(obj.body)})

    def get_queryset(self, request):
        # The list never loads the text or its HTML: the check was stored when the draft was saved.
        queryset = super().get_queryset(request)
        return queryset.defer(
            "body", "body_html", "references", "references_html", "live", "scheduled", "toc"
        )

    # Saving, reviewing, publishing -------------------------------------------------------------------

    def get_object(self, request, object_id, from_field=None):
        # The edit form needs the full document (the list defers the text).
        if not str(object_id).isdigit():
            return None
        return self.model.objects.filter(pk=object_id).first()

    def render_change_form(self, request, context, *args, **kwargs):
        original = context.get("original")
        context.update(
            can_publish=self.has_publish_permission(request, original),
            can_review=self.has_review_permission(request, original),
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        report = publishing.save_draft(
            document=obj, user=request.user, expected_version=form.cleaned_data.get("opened_version")
        )
        if report.problems:
            shown = "; ".join(report.problems[:5]) + ("; …" if len(report.problems) > 5 else "")
            self.message_user(
                request, f"Saved, with {len(report.problems)} things to check: {shown}", messages.WARNING
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        publishing.refresh_draft_state(document=form.instance)

    def restore_version(self, request, obj, record):
        """The history's one-step restore (content.admin_history) makes an old version the draft."""
        publishing.restore_version(document=obj, record=record, user=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self._after_save(request, obj) or super().response_change(request, obj)

    def _url(self, name, obj):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=[obj.pk])

    def _after_save(self, request, obj):
        """ "Save and review" goes to the review screen, where reviewing and publishing happen."""
        if "_review" in request.POST:
            return redirect(self._url("review", obj))
        return None

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_review"
        return [
            path("<int:object_id>/review/", self.admin_site.admin_view(self.review_view), name=name),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id):
        """One screen with exactly the version a reviewer vouches for: the draft as patients would see
        it, what changed since the last reviewed version and since the live one, the check, and the
        buttons to mark it reviewed, publish it now, or set a time for it to go live."""
        obj = get_object_or_404(self.model, pk=object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        may_publish = self.has_publish_permission(request, obj)
        may_review = self.has_review_permission(request, obj)
        schedule_form = ScheduleForm(request.POST or None)
        if request.method == "POST":
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            if self._review_action(request, obj, schedule_form):
                return redirect(self._url("review", obj))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"Review and publish “{obj}”",
            "comparison": compare_for_review(obj),
            "report": check_markdown(obj.body),
            "review": obj.draft_review,
            "can_publish": may_publish and (may_review or obj.draft_review is not None),
            "can_review": may_review,
            "may_publish": may_publish,
            "schedule_form": schedule_form,
            "can_schedule": may_publish and obj.draft_review is not None and not obj.review_overdue,
            "schedule_status": self.schedule_status(obj),
        }
        return TemplateResponse(request, "admin/content/review.html", context)

    def _review_action(self, request, obj, schedule_form):
        """Do what the review screen's button asked, through content.publishing; True when it was done."""
        action = request.POST.get("action")
        version = request.POST.get("version", "")  # missing or mangled: refused as a changed version
        user = request.user
        try:
            if action in ("review", "review_publish"):
                publishing.mark_reviewed(document=obj, user=user, expected_version=version)
                self.message_user(
                    request, f"Version {obj.version} of “{obj}” is marked reviewed by you.", messages.SUCCESS
                )
            if action in ("publish", "review_publish"):
                publishing.publish(
                    document=obj,
                    user=user,
                    expected_version=version,
                    confirm_overdue=bool(request.POST.get("confirm_overdue")),
                )
                self.message_user(
                    request, f"“{obj}” is published. Patients can see it now.", messages.SUCCESS
                )
            elif action == "schedule":
                if not schedule_form.is_valid():
                    return False
                publishing.schedule(
                    document=obj,
                    user=user,
                    expected_version=version,
                    publish_at=schedule_form.cleaned_data["publish_at"],
                    unpublish_at=schedule_form.cleaned_data["unpublish_at"],
                )
                self.message_user(request, f"“{obj}”: {self.schedule_status(obj)}", messages.SUCCESS)
            elif action == "cancel_schedule":
                publishing.cancel_schedule(document=obj, user=user)
                self.message_user(request, f"Nothing is scheduled for “{obj}” now.", messages.SUCCESS)
            elif action not in ("review", "review_publish", "publish"):
                return False
        except publishing.PublishingError as error:
            self.message_user(request, str(error), messages.ERROR)
            return action != "schedule"
        return True

    @admin.action(description="Unpublish selected (patients stop seeing them)", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        count = 0
        for document in queryset:
            try:
                publishing.unpublish(document=document, user=request.user)
            except publishing.PublishingError as error:
                self.message_user(request, str(error), messages.ERROR)
                return
            count += 1
        self.message_user(request, f"{count} unpublished.", messages.SUCCESS)


def _when(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def review_summary(document):
    """The review state of the draft and of the live version, in a sentence for staff."""
    if document.pk is None:
        return "Not yet reviewed"
    draft, live = document.draft_review, document.live_review
    if draft is not None:
        said = f"This version was reviewed by {draft.reviewer_name}, {draft.reviewer_credentials}, on {draft.reviewed_on:%B %d, %Y}."
    elif document.last_review is not None:
        last = document.last_review
        said = f"Changed since the last review ({last.reviewer_name}, {last.reviewed_on:%B %d, %Y}): not reviewed yet."
    else:
        said = "Never reviewed."
    if document.published and live is None:
        said += " The live version has not been reviewed."
    return said


SCHEDULE_AHEAD = timedelta(days=5 * 365)  # further ahead is a typing slip (and past year 9999, a crash)


def _moment(label):
    """A date and a time typed as text (no browser date picker), optional."""
    return forms.SplitDateTimeField(
        required=False,
        label=label,
        help_text="Date as YYYY-MM-DD, time as HH:MM (24-hour clock, clinic time).",
        widget=forms.SplitDateTimeWidget(
            date_attrs={"autocomplete": "off"}, time_attrs={"autocomplete": "off"}
        ),
    )


class ScheduleForm(forms.Form):
    """Times for the review screen's schedule buttons, typed as text (clinic time, 24-hour clock)."""

    publish_at = _moment("Publish this version at")
    unpublish_at = _moment("Take the page down at (optional)")

    def clean(self):
        cleaned = super().clean()
        latest = timezone.now() + SCHEDULE_AHEAD
        for name in ("publish_at", "unpublish_at"):
            if cleaned.get(name) and cleaned[name] > latest:
                self.add_error(name, f"Choose a time within the next {SCHEDULE_AHEAD.days // 365} years.")
        if not cleaned.get("publish_at") and not cleaned.get("unpublish_at") and not self.errors:
            raise forms.ValidationError("Enter a time to publish, a time to take it down, or both.")
        return cleaned


@admin.register(Page)
class PageAdmin(DocumentAdmin):
    list_display = (
        "title",
        "publication",
        "reading_grade",
        "check_problems",
        "next_review_due",
    )
    list_display_links = ("title",)
    search_fields = ("title", *DocumentAdmin.search_fields)
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


class ClinicProfileForm(forms.ModelForm):
    """Carries the last saved version it was opened on: a save over someone else's newer save (or a
    publish) is refused with the typed details kept."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_version"].initial = self._latest()

    def _latest(self):
        if self.instance.pk is None:
            return None
        return self.instance.history.order_by("-history_id").values_list("history_id", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("opened_version")
        if opened is None:
            return cleaned
        ClinicProfile.objects.select_for_update().filter(pk=self.instance.pk).exists()  # lock the row
        if self._latest() != opened:
            raise forms.ValidationError(
                "Not saved: someone else saved the clinic's details while you were editing. Your "
                "changes are still here: compare with the history, then save again."
            )
        return cleaned


@admin.register(ClinicProfile)
class ClinicProfileAdmin(HistoryCompareMixin, SimpleHistoryAdmin):
    """The clinic's details: saved as a draft, shown to patients once someone with the publish
    permission publishes them (content.publishing)."""

    form = ClinicProfileForm
    list_display = ("name", "phone", "email", "publication")
    readonly_fields = ("publication",)
    change_form_template = "admin/content/clinicprofile/change_form.html"

    @admin.display(description="Status")
    def publication(self, obj):
        if obj.pk is None or not obj.live:
            return "Draft only: patients do not see these details yet"
        if obj.has_unpublished_changes:
            changed = [
                ClinicProfile._meta.get_field(name).verbose_name
                for name in ClinicProfile.PUBLIC_FIELDS
                if obj.live.get(name) != getattr(obj, name)
            ]
            return f"Live, with draft changes patients do not see yet: {', '.join(changed)}"
        return "Live"

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_publish"] = publishing.can_publish_profile(user=request.user)
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        publishing.save_clinic_profile(profile=obj, user=request.user)

    def _published(self, request, obj):
        if "_publish" not in request.POST:
            return None
        try:
            publishing.publish_clinic_profile(profile=obj, user=request.user)
        except publishing.PublishingError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, "The clinic's details are published: every page shows them now.")
        return redirect(reverse("admin:content_clinicprofile_change", args=[obj.pk]))

    def response_change(self, request, obj):
        return self._published(request, obj) or super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        return self._published(request, obj) or super().response_add(request, obj, post_url_continue)

    def restore_version(self, request, obj, record):
        publishing.restore_clinic_profile(profile=obj, record=record, user=request.user)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ClinicProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

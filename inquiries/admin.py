"""The front desk's queue, and the access log only administrators can read.

Every list, view, change and export of inquiries is written to the access log. What the person sent
is shown read-only: the desk works on status, assignment and notes, never on the patient's words.
"""

from django.contrib import admin, messages
from django.db.models import Case, F, IntegerField, Value, When
from django.http import HttpResponse
from django.utils import timezone
from django.utils.timesince import timesince

from inquiries import services
from inquiries.models import INSURANCE_FIELDS, AccessLogEntry, Inquiry

SUBMITTED_FIELDS = (
    "kind",
    "received",
    "urgent",
    "name",
    "phone_display",
    "email",
    "preferred_contact",
    "preferred_time",
    "service",
    "message",
    "consent_at",
)


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ("number", "urgent_flag", "status", "kind", "name", "received", "age", "assigned_to")
    list_display_links = ("number", "name")
    list_filter = ("status", "kind", "urgent", "assigned_to", "received")
    search_fields = ("name", "email", "phone")
    list_per_page = 50
    actions = ["mark_contacted", "mark_closed", "mark_spam", "export_csv"]
    readonly_fields = (*SUBMITTED_FIELDS, *INSURANCE_FIELDS, "notified_at")

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            ("Front desk", {"fields": ("status", "assigned_to", "internal_notes")}),
            ("What they sent", {"fields": SUBMITTED_FIELDS}),
        ]
        if obj is not None and obj.kind == Inquiry.Kind.INSURANCE:
            fieldsets.append(("Insurance", {"fields": INSURANCE_FIELDS}))
        fieldsets.append(("Notification", {"fields": ("notified_at",), "classes": ["collapse"]}))
        return fieldsets

    # Urgent first, then new ones, oldest first: nothing waits at the bottom of the queue.
    ordering = (
        F("urgent").desc(),
        Case(When(status=Inquiry.Status.NEW, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "received",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assigned_to")

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digits = "".join(ch for ch in search_term if ch.isdigit())
        if len(digits) >= 4:  # "(212) 555-0123" finds +12125550123
            results |= queryset.filter(phone__contains=digits[-10:])
        return results, may_have_duplicates

    @admin.display(description="#", ordering="pk")
    def number(self, obj):
        return f"#{obj.pk}"

    @admin.display(description="Urgent", boolean=True, ordering="urgent")
    def urgent_flag(self, obj):
        return obj.urgent

    @admin.display(description="Waiting")
    def age(self, obj):
        return timesince(obj.received, timezone.now()).split(",")[0]

    @admin.display(description="Phone")
    def phone_display(self, obj):
        return obj.phone_display

    def has_add_permission(self, request):
        return False  # inquiries come only from the form

    def has_delete_permission(self, request, obj=None):
        return False  # purge_inquiries removes them when their time is up

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            query = request.GET.urlencode()
            services.access_log_record(user=request.user, action=AccessLogEntry.Action.LIST, detail=query)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            services.access_log_record(
                user=request.user, action=AccessLogEntry.Action.VIEW, inquiry_ids=[int(object_id)]
            )
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = ", ".join(form.changed_data) or "nothing"
        services.access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.CHANGE,
            inquiry_ids=[obj.pk],
            detail=f"changed: {changed}",
        )

    def _set_status(self, request, queryset, status):
        count = services.inquiries_set_status(user=request.user, inquiries=queryset, status=status)
        self.message_user(
            request, f"{count} marked {Inquiry.Status(status).label.lower()}.", messages.SUCCESS
        )

    @admin.action(description="Mark selected as contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._set_status(request, queryset, Inquiry.Status.CONTACTED)

    @admin.action(description="Mark selected as closed", permissions=["change"])
    def mark_closed(self, request, queryset):
        self._set_status(request, queryset, Inquiry.Status.CLOSED)

    @admin.action(description="Mark selected as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._set_status(request, queryset, Inquiry.Status.SPAM)

    @admin.action(
        description="Export selected to CSV (no messages or insurance numbers)", permissions=["export"]
    )
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="inquiries-{timezone.localdate():%Y-%m-%d}.csv"'
        )
        response["Cache-Control"] = "no-store"
        services.inquiries_export(user=request.user, inquiries=queryset, stream=response)
        return response

    def has_export_permission(self, request):
        return request.user.has_perm("inquiries.export_inquiry")


@admin.register(AccessLogEntry)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "inquiry_id", "detail")
    list_filter = ("action", "at")
    search_fields = ("username", "=inquiry_id")
    actions = None

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""The front desk's queue, and the access log only administrators can read.

Every list, view, change and export of inquiries is written to the access log. What the person sent
is shown read-only: the desk works on status, assignment and notes, never on the patient's words.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from inquiries import services
from inquiries.models import INSURANCE_FIELDS, AccessLogEntry, Inquiry


def _duration(start, end):
    return timesince(start, end).split(",")[0]


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


class QueueFilter(admin.SimpleListFilter):
    """What the queue shows: open inquiries unless asked otherwise."""

    title = "show"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("all", "Everything"),
            ("done", "Closed and spam"),
            ("suspect", "Possible spam"),
        ]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Open inquiries",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        if self.value() == "done":
            return queryset.filter(status__in=[Inquiry.Status.CLOSED, Inquiry.Status.SPAM])
        if self.value() == "suspect":
            return queryset.filter(status=Inquiry.Status.SUSPECT)
        return queryset.filter(status__in=Inquiry.OPEN)


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ("number", "urgent_flag", "status", "kind", "name", "received", "age", "assigned_to")
    list_display_links = ("number", "name")
    list_filter = (QueueFilter, "status", "kind", "urgent", "assigned_to", "received")
    show_facets = admin.ShowFacets.ALWAYS  # counts beside each status and filter
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

    # Urgent ones nobody has answered first, then the oldest: nothing waits at the bottom, and an urgent
    # inquiry the desk has answered no longer sits on top.
    ordering = (
        Case(
            When(urgent=True, status=Inquiry.Status.NEW, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
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

    @admin.display(description="Urgent", ordering="urgent")
    def urgent_flag(self, obj):
        """A word, not a tick: shown only while an urgent inquiry is still open."""
        return (
            format_html('<strong class="badge-urgent">{}</strong>', "Urgent")
            if obj.urgent and obj.is_open
            else ""
        )

    @admin.display(description="Waiting")
    def age(self, obj):
        """How long the person has waited; once answered, how long the answer took."""
        if obj.first_answered_at:
            return f"Answered after {_duration(obj.received, obj.first_answered_at)}"
        waited = _duration(obj.received, timezone.now())
        if obj.is_open and timezone.now() - obj.received > timedelta(hours=settings.INQUIRY_RESPONSE_HOURS):
            return format_html('<strong class="badge-overdue">Overdue</strong>: waiting {}', waited)
        return waited

    @admin.display(description="Phone")
    def phone_display(self, obj):
        return obj.phone_display

    def has_add_permission(self, request):
        return False  # inquiries come only from the form

    def has_delete_permission(self, request, obj=None):
        return False  # purge_inquiries removes them when their time is up

    def changelist_view(self, request, extra_context=None):
        """Logged whenever the list is shown, whatever the method (a POST without an action shows it
        again); an export logs itself."""
        response = super().changelist_view(request, extra_context)
        if getattr(response, "status_code", None) == 200 and hasattr(response, "template_name"):
            query = request.GET.urlencode()
            services.access_log_record(user=request.user, action=AccessLogEntry.Action.LIST, detail=query)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # Shown, whatever the method: a POST with an invalid status shows the whole inquiry again.
        if response.status_code == 200 and str(object_id).isdigit():
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

"""The admin's history pages for documents and the clinic profile: what changed, and restoring a version.

The history list says in words which fields each version changed; "What changed" shows the rendered
text word by word; "Restore" makes an old version current in one step (a POST, never a GET).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from content import publishing
from content.history import compare_versions, summarize

# The history list's extra column. simple-history shows the name itself as the column heading and reads
# the cell from the record's attribute of that name, which set_history_delta_changes fills in.
ACTIONS_COLUMN = "Compare or restore"


def _has_drafts(model_or_obj):
    """Documents and the clinic profile keep a draft beside the live version patients see."""
    return hasattr(model_or_obj, "live")


def _when(record):
    return date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")


class HistoryCompareMixin:
    """History pages that say what changed in words, and restore an old version in one step.

    The model admin provides `restore_version(request, obj, record)`; document admins make the version
    the draft through content.publishing. The fallback here copies the version's fields and saves.
    """

    history_list_display = [ACTIONS_COLUMN]

    def _history_url(self, name, *args):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=args)

    def get_urls(self):
        compare = self.admin_site.admin_view(self.compare_view)
        restore = self.admin_site.admin_view(self.restore_view)
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<int:object_id>/history/<int:history_id>/compare/", compare, name=f"{prefix}_compare"),
            path("<int:object_id>/history/<int:history_id>/restore/", restore, name=f"{prefix}_restore"),
            *super().get_urls(),
        ]

    # The history list ---------------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        if not str(object_id).isdigit():
            raise Http404("No such document.")
        return super().history_view(request, object_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The "Changes" column: each changed field in words (for the text, the words removed and added),
        never simple-history's raw values such as "Deleted page (pk=None)" for an empty link."""
        records = list(historical_records)
        if not records:
            return
        obj = records[0].instance_type._default_manager.filter(pk=records[0].id).first()
        can_restore = obj is not None and self.has_change_permission(request, obj)
        newest = self.model.history.filter(id=records[0].id).values_list("history_id", flat=True).first()
        for index, record in enumerate(records):
            previous = records[index + 1] if index + 1 < len(records) else record.prev_record
            changes = compare_versions(record, previous=previous) if previous is not None else []
            record.history_delta_changes = [
                {"field": change["field"], "old": old, "new": new}
                for change in changes
                for old, new in [summarize(change)]
            ]
            record.history_change_reason = record.history_change_reason or ""  # not "None"
            restorable = can_restore and record.history_id != newest
            setattr(record, ACTIONS_COLUMN, self._version_actions(request, record, restorable))

    def _version_actions(self, request, record, restorable):
        compare = format_html(
            '<a href="{}">What changed</a>', self._history_url("compare", record.id, record.history_id)
        )
        if not restorable:
            return compare
        return format_html(
            '{}<form method="post" action="{}" class="restore-version">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button type="submit" class="button">Restore this version{}</button></form>',
            compare,
            self._history_url("restore", record.id, record.history_id),
            get_token(request),
            " as the draft" if _has_drafts(record.instance_type) else "",
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """simple-history's view of one old version, to read only: its "Revert" form would save around
        the publishing rules (address, version check), so a POST is refused; restoring is the one-step
        restore button. An address with something other than numbers in it is a 404, never a 500."""
        if not (str(object_id).isdigit() and str(version_id).isdigit()):
            raise Http404("No such version.")
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return super().history_form_view(request, object_id, version_id, extra_context)

    # What changed -------------------------------------------------------------------------------------

    def compare_view(self, request, object_id, history_id):
        obj = get_object_or_404(self.model, pk=object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        record = get_object_or_404(self.model.history.filter(id=object_id), history_id=history_id)
        previous = record.prev_record
        newest = self.model.history.filter(id=object_id).values_list("history_id", flat=True).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"What changed in “{obj}” on {_when(record)}",
            "record": record,
            "previous": previous,
            "changes": compare_versions(record, previous=previous) if previous is not None else None,
            "first_version": compare_versions(record) if previous is None else None,
            "is_newest": record.history_id == newest,
            "can_restore": self.has_change_permission(request, obj),
            "has_drafts": _has_drafts(obj),
        }
        return TemplateResponse(request, "admin/content/compare.html", context)

    # Restoring ----------------------------------------------------------------------------------------

    def restore_version(self, request, obj, record):
        """Make `record` the current version of `obj` (the fallback for models without drafts)."""
        for field in obj._meta.fields:
            if field.editable and not field.primary_key and hasattr(record, field.attname):
                setattr(obj, field.attname, getattr(record, field.attname))
        obj._history_user = request.user
        obj._change_reason = f"Restored the version of {_when(record)}"
        obj.save()

    def _restored_message(self, obj, record):
        if not _has_drafts(obj):
            return f"The version of {_when(record)} is restored."
        is_live = obj.published if hasattr(obj, "published") else obj.live is not None
        return f"The version of {_when(record)} is now the draft. " + (
            "Patients still see the live version until someone publishes it."
            if is_live
            else f"Patients cannot see this {self.opts.verbose_name} until someone publishes it."
        )

    def restore_view(self, request, object_id, history_id):
        """One step: the version becomes the draft (for a document) and the editor lands on the form."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = get_object_or_404(self.model, pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        record = get_object_or_404(self.model.history.filter(id=object_id), history_id=history_id)
        try:
            result = self.restore_version(request, obj, record)
        except publishing.PublishingError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(self._history_url("compare", obj.pk, record.history_id))
        self.message_user(request, self._restored_message(obj, record), messages.SUCCESS)
        problems = getattr(result, "problems", None)
        if problems:
            shown = "; ".join(problems[:5]) + ("; …" if len(problems) > 5 else "")
            self.message_user(request, f"{len(problems)} things to check: {shown}", messages.WARNING)
        return redirect(self._history_url("change", obj.pk))

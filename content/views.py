"""The education pages, what every document page shares, and the staff-only Markdown preview, check and upload."""

from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from accounts.access import staff_required
from accounts.policy import can_see_drafts, staff_access
from content import structured_data
from content.checks import ALT_PLACEHOLDER, check_markdown
from content.images import ImageRejected, image_store
from content.markdown import MarkdownTooComplex, markdownify
from content.models import ClinicProfile, Page
from core.registry import document_models


def can_edit_markdown(user):
    """Staff who may use staff pages now (two-factor verified) and may change some kind of Markdown
    document may use the preview, check and upload."""
    return staff_access(user) and any(
        user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
        for model in document_models()
    )


class DocumentDetailView(DetailView):
    """A published Markdown document as patients see it: the live version, with its own title, text,
    relations and review line. An address the document had before it moved redirects (301) to this one.

    Staff who may change this kind of document see the draft instead, on the same address, under a banner
    that says patients cannot see it (``?version=live`` shows them the live version).
    """

    section = None  # (title, url name) of the list the document belongs to, for breadcrumbs

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = self.model.objects.moved_from(kwargs["slug"])
            if moved is None or not moved.published:
                raise
            return HttpResponsePermanentRedirect(moved.get_absolute_url())

    def get_object(self, queryset=None):
        slug = self.kwargs["slug"]
        document = self.model.objects.published().filter(live_slug=slug).first()
        if document is None and self.drafts_shown:
            document = self.model.objects.filter(slug=slug).first()
        if document is None:
            raise Http404("No such page.")
        return document

    @cached_property
    def drafts_shown(self):
        return can_see_drafts(self.request.user, self.model)

    def related(self, model, ids, *, live):
        """The documents a version links to, in list order: only published ones on the live version."""
        found = model.objects.published() if live else model.objects.visible_to(self.request.user)
        return found.filter(pk__in=ids if isinstance(ids, list) else [ids])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        wants_live = not self.drafts_shown or self.request.GET.get("version") == "live"
        show_live = wants_live and document.published
        shown = document.shown_version(live=show_live)
        section_title, section_url = self.section
        review = document.review_of(shown.fingerprint)
        context.update(
            shown=shown,
            show_live=show_live,
            draft_view=not show_live and document.has_unpublished_changes,
            review=review,
            earlier_review=None if review else document.earlier_live_review,
            breadcrumbs=[
                ("Home", reverse("core:home")),
                (section_title, reverse(section_url)),
                (shown.title, None),
            ],
        )
        url = self.request.build_absolute_uri(document.get_absolute_url())
        context["jsonld"] = structured_data.as_script(
            structured_data.medical_web_page(
                document, shown, url, ClinicProfile.for_request(self.request), review=review
            )
        )
        return context


class PageListView(ListView):
    queryset = Page.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = [("Home", reverse("core:home")), ("Learn", None)]
        return context


class PageDetailView(DocumentDetailView):
    model = Page
    section = ("Learn", "content:page_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown, live = context["shown"], context["show_live"]
        context["related"] = self.related(Page, shown.relations.get("related", []), live=live)
        next_id = shown.relations.get("next_page")
        next_page = self.related(Page, next_id, live=live).first() if next_id else None
        if next_page is not None:
            context["next_page"] = next_page
        return context


@require_POST
@staff_required(can_edit_markdown)
def markdown_preview(request):
    """The admin's live preview: exactly the HTML the public page will show. Staff editors only."""
    if not can_edit_markdown(request.user):
        return HttpResponseForbidden("Only staff who edit pages can use the preview.")
    if "content" not in request.POST:
        return HttpResponseBadRequest("No content to preview.")
    try:
        return HttpResponse(markdownify(request.POST["content"]))
    except MarkdownTooComplex as error:
        return HttpResponseBadRequest(str(error))


@require_POST
@staff_required(can_edit_markdown)
def markdown_check(request):
    """The plain-language check of the text being written, for the edit page as staff type."""
    if not can_edit_markdown(request.user):
        return HttpResponseForbidden("Only staff who edit pages can check text.")
    try:
        report = check_markdown(request.POST.get("content", ""))
    except MarkdownTooComplex as error:
        return HttpResponseBadRequest(str(error))
    return render(request, "admin/content/check_report.html", {"report": report})


@require_POST
@staff_required(can_edit_markdown)
def markdown_image_upload(request):
    """The editor's image upload (markdownx calls it): checked, re-encoded, for staff editors only."""
    if not can_edit_markdown(request.user):
        return HttpResponseForbidden("Only staff who edit pages can upload images.")
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"image": ["Choose an image to upload."]}, status=400)
    try:
        url = image_store(upload=upload)
    except ImageRejected as error:
        return JsonResponse({"image": [str(error)]}, status=400)
    # A prompt, not a description: the plain-language check flags it until the author writes one.
    return JsonResponse({"image_code": f"![{ALT_PLACEHOLDER}]({url})"})

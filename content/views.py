"""Public pages (home, education pages, robots.txt) and the staff-only Markdown preview and upload."""

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, ListView, RedirectView, TemplateView
from django.views.static import serve

from conditions.models import Condition
from content import structured_data
from content.checks import check_markdown
from content.images import ImageRejected, image_store
from content.markdown import markdownify
from content.models import ClinicProfile, Page

# Anyone who may change a Markdown document may use the preview and the image upload.
EDIT_PERMISSIONS = ("content.change_page", "conditions.change_condition")


def can_edit_markdown(user):
    return user.is_active and user.is_staff and any(user.has_perm(p) for p in EDIT_PERMISSIONS)


class DocumentDetailView(DetailView):
    """A published Markdown document as patients see it.

    Staff see the draft instead, on the same address, under a banner that says patients cannot see it
    (``?version=live`` shows them the live version).
    """

    section = None  # (title, url name) of the list the document belongs to, for breadcrumbs

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        user = self.request.user
        wants_live = not user.is_staff or self.request.GET.get("version") == "live"
        show_live = wants_live and document.published
        shown = document.version(live=show_live)
        section_title, section_url = self.section
        context["shown"] = shown
        context["draft_view"] = not show_live and document.has_unpublished_changes
        context["breadcrumbs"] = [
            ("Home", reverse("content:home")),
            (section_title, reverse(section_url)),
            (shown.title, None),
        ]
        url = self.request.build_absolute_uri(document.get_absolute_url())
        context["jsonld"] = structured_data.as_script(
            structured_data.medical_web_page(document, shown, url, ClinicProfile.for_request(self.request))
        )
        return context


class HomeView(TemplateView):
    """The way in to every topic: the education pages and the conditions."""

    template_name = "content/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pages"] = Page.objects.published()
        context["conditions"] = Condition.objects.published()
        clinic = structured_data.clinic(
            ClinicProfile.for_request(self.request), self.request.build_absolute_uri("/")
        )
        context["jsonld"] = structured_data.as_script(clinic) if clinic else ""
        return context


class PageListView(ListView):
    queryset = Page.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = [("Home", reverse("content:home")), ("Learn", None)]
        return context


class PageDetailView(DocumentDetailView):
    model = Page
    section = ("Learn", "content:page_list")

    def get_queryset(self):
        return super().get_queryset().select_related("next_page")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.object
        context["related"] = page.related.visible_to(self.request.user)
        next_page = page.next_page
        if next_page is not None and (next_page.published or self.request.user.is_staff):
            context["next_page"] = next_page
        return context


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /markdownx/",
        "Disallow: /account/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


class FaviconView(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")


@require_POST
def markdown_preview(request):
    """The admin's live preview: exactly the HTML the public page will show. Staff editors only."""
    if not can_edit_markdown(request.user):
        return HttpResponseForbidden("Only staff who edit pages can use the preview.")
    if "content" not in request.POST:
        return HttpResponseBadRequest("No content to preview.")
    return HttpResponse(markdownify(request.POST["content"]))


@require_POST
def markdown_check(request):
    """The plain-language check of the text being written, for the edit page as staff type."""
    if not can_edit_markdown(request.user):
        return HttpResponseForbidden("Only staff who edit pages can check text.")
    report = check_markdown(request.POST.get("content", ""))
    return render(request, "admin/content/check_report.html", {"report": report})


@require_POST
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
    # Empty alt text on purpose: the plain-language check asks the author to describe the image.
    return JsonResponse({"image_code": f"![]({url})"})


@require_GET
def media(request, path):
    """Uploaded images, when this server serves them itself (`make run`); see the README for production."""
    if not settings.SERVE_MEDIA:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=86400"
    return response

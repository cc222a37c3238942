"""The site's shared pages: the home page (a section per kind of document), robots.txt, the favicon,
uploaded images when this server serves them, and the 400 page for requests that cannot be read."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView, TemplateView
from django.views.static import serve

from core.registry import document_models


class HomeView(TemplateView):
    """The way in to every topic: one section for each kind of document, in the registry's order."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = [
            {"template": model.document_kind.home_template, "documents": model.objects.published()}
            for model in document_models()
        ]
        return context


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /markdownx/",
        "Disallow: /account/",
        f"Sitemap: {request.build_absolute_uri(reverse('core:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


class FaviconView(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")


@require_GET
def media(request, path):
    """Uploaded images, when this server serves them itself (`make run`); see the README for production."""
    if not settings.SERVE_MEDIA:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def bad_request(request, exception=None):
    """The site's own 400 page (a forged Host header, a body in a character set we cannot read)."""
    return render(request, "400.html", status=400)

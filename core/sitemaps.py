"""sitemap.xml: the home page, the contact page, each kind of document's list, and every published document."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from core.registry import document_models


class ListsSitemap(Sitemap):
    def items(self):
        lists = [model.document_kind.list_url_name for model in document_models()]
        return ["core:home", *lists, "inquiries:contact"]

    def location(self, item):
        return reverse(item)


class DocumentSitemap(Sitemap):
    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.published()

    def lastmod(self, document):
        return document.published_at or document.updated


def sitemaps():
    """The sitemap's sections: the lists, then one per kind of document."""
    return {
        "lists": ListsSitemap,
        **{model._meta.model_name: DocumentSitemap(model) for model in document_models()},
    }

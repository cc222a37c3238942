"""sitemap.xml: the home page, the lists, and every published page and condition."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from conditions.models import Condition
from content.models import Page


class ListsSitemap(Sitemap):
    def items(self):
        return ["content:home", "content:page_list", "conditions:condition_list", "inquiries:contact"]

    def location(self, item):
        return reverse(item)


class DocumentSitemap(Sitemap):
    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.published()

    def lastmod(self, document):
        return document.published_at or document.updated


SITEMAPS = {"lists": ListsSitemap, "pages": DocumentSitemap(Page), "conditions": DocumentSitemap(Condition)}

"""Every kind of document the site publishes, found without importing the apps that define them.

A model takes part by carrying a ``document_kind`` (a DocumentKind). The home page, the sitemap, the
link check and the review lists ask ``document_models()`` for the documents there are, so no app has to
import a sibling app to list its documents, and a new kind of document joins them all by declaring one.
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class DocumentKind:
    """How one kind of document shows up across the site."""

    detail_url_name: str  # takes `slug`, e.g. "content:page_detail"
    list_url_name: str  # the list of all of them, e.g. "content:page_list"
    home_template: str  # the home page's section for this kind, given `documents`
    order: int = 100  # lower comes first on the home page and in the sitemap


def document_models():
    """The concrete models that declare a document kind, in their `order`."""
    found = [
        model
        for model in apps.get_models()
        if isinstance(getattr(model, "document_kind", None), DocumentKind) and not model._meta.abstract
    ]
    return sorted(found, key=lambda model: (model.document_kind.order, model._meta.label))


def model_for_detail_url(url_name):
    """The document model whose public page has this URL name, or None."""
    for model in document_models():
        if model.document_kind.detail_url_name == url_name:
            return model
    return None

"""The admin home page's list of documents due for clinical review, for every kind of document."""

from django import template

from core.registry import document_models

register = template.Library()


@register.simple_tag
def review_due_documents(user, limit=10):
    """Overdue first, then due within 30 days, for the documents this user may see."""
    documents = []
    for model in document_models():
        if not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
            continue
        due = model.objects.review_overdue() | model.objects.review_due_soon()
        for document in due:
            document.admin_url_name = f"admin:{model._meta.app_label}_{model._meta.model_name}_change"
            documents.append(document)
    documents.sort(key=lambda d: (d.next_review_due is not None, d.next_review_due))
    return documents[:limit]

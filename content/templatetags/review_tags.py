"""The admin home page's work lists for every kind of document: waiting for review, review overdue,
review due within 30 days. Each list is complete, or says how many more there are with a link to the
full filtered list."""

from django import template
from django.urls import reverse

from core.registry import document_models

register = template.Library()

WORK_LISTS = (
    ("waiting", "Waiting for review", "Drafts with changes patients do not see yet."),
    ("overdue", "Review overdue", "Never reviewed, or past the date the next review was due."),
    ("soon", "Due within 30 days", "Clinical review falls due soon."),
)
SHOWN = 10


def _queryset(model, key):
    documents = model.objects.all()
    if key == "waiting":
        return documents.waiting_for_review().order_by("-updated")
    if key == "overdue":
        return documents.review_overdue().order_by("next_review_due", "nav_order")
    return documents.review_due_soon().order_by("next_review_due", "nav_order")


@register.simple_tag
def review_work_lists(user, shown=SHOWN):
    """[{key, title, help, total, groups: [{model name, documents (at most `shown`), total, more, url}]}]
    for the kinds of document this user may see."""
    lists = []
    for key, title, help_text in WORK_LISTS:
        groups = []
        for model in document_models():
            opts = model._meta
            if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}") and not user.has_perm(
                f"{opts.app_label}.change_{opts.model_name}"
            ):
                continue
            found = _queryset(model, key).only(
                "pk", "slug", "next_review_due", "updated", *model.AUTHORED_FIELDS[:1]
            )
            total = found.count()
            if not total:
                continue
            documents = list(found[:shown])
            for document in documents:
                document.admin_url = reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change", args=[document.pk]
                )
            groups.append(
                {
                    "name": opts.verbose_name_plural,
                    "documents": documents,
                    "total": total,
                    "more": total - len(documents),
                    "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + f"?review={key}",
                }
            )
        lists.append(
            {
                "key": key,
                "title": title,
                "help": help_text,
                "groups": groups,
                "total": sum(g["total"] for g in groups),
            }
        )
    return lists

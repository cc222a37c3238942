"""The confirm-password page, and django-two-factor-auth's URLs with this site's views on the pages
that need a stronger door (same paths and names, so its templates and redirects keep working)."""

from django.urls import URLPattern, path
from two_factor.urls import urlpatterns as two_factor_urlpatterns

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("account/confirm-password/", views.confirm_password, name="confirm_password"),
]

STAFF_TWO_FACTOR_VIEWS = {
    "login": views.login,
    "setup": views.setup,
    "setup_complete": views.setup_complete,
    "backup_tokens": views.backup_tokens,
    "profile": views.profile,
    "disable": views.disable,
}


def _with_staff_views(patterns):
    return [
        path(str(pattern.pattern), STAFF_TWO_FACTOR_VIEWS[pattern.name], name=pattern.name)
        if isinstance(pattern, URLPattern) and pattern.name in STAFF_TWO_FACTOR_VIEWS
        else pattern
        for pattern in patterns
    ]


_patterns, _namespace = two_factor_urlpatterns
two_factor_urls = (_with_staff_views(_patterns), _namespace)

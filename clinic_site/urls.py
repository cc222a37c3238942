from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.urls import two_factor_urls
from content import views as content_views

handler400 = "core.views.bad_request"

urlpatterns = [
    path("", include("core.urls")),
    path("", include("content.urls")),
    path("conditions/", include("conditions.urls")),
    path("contact/", include("inquiries.urls")),
    # Staff sign in through the two-factor login, never the admin's own password-only form.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="two_factor:login", query_string=True),
        name="admin_login",
    ),
    path("admin/", admin.site.urls),  # accounts.admin_site.StaffAdminSite: verified staff only
    path("", include("accounts.urls")),
    # django-two-factor-auth's pages; setup, backup codes and turning it off ask for the password again.
    path("", include(two_factor_urls)),
    # markdownx's own URLs answer anyone; these names replace them with staff-only views.
    path("markdownx/markdownify/", content_views.markdown_preview, name="markdownx_markdownify"),
    path("markdownx/upload/", content_views.markdown_image_upload, name="markdownx_upload"),
    path("markdownx/check/", content_views.markdown_check, name="markdown_check"),
]

"""The admin site staff use: it opens only for staff who may use staff pages now (accounts.policy).

It is Django's default admin site here (accounts.apps.StaffAdminConfig), so every ModelAdmin any app
registers, the inquiries' included, is behind the same two-factor check without importing accounts.
"""

from functools import update_wrapper

from django.contrib import admin
from django.urls import reverse

from accounts import policy
from accounts.access import verification_redirect


class StaffAdminSite(admin.AdminSite):
    site_header = "Clinic site administration"
    site_title = "Clinic site admin"

    def has_permission(self, request):
        return super().has_permission(request) and policy.staff_access(request.user)

    def admin_view(self, view, cacheable=False):
        """Every admin page: staff who must still verify go to the setup or the code, not to a 403."""
        inner = super().admin_view(view, cacheable)

        def verified_first(request, *args, **kwargs):
            if policy.needs_verification(request.user):
                if request.path == reverse("admin:logout", current_app=self.name):
                    return view(request, *args, **kwargs)  # signing out needs no code (CSRF-protected)
                return verification_redirect(request)
            return inner(request, *args, **kwargs)

        return update_wrapper(verified_first, inner)

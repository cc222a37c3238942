"""The door of every staff-only page outside the admin: `staff_required`, and where refused staff go.

The admin site (accounts.admin_site) asks the same questions of accounts.policy, so the admin and
these views let in exactly the same people. A staff member who still has to verify is sent, on a page
they opened, to set up an authenticator app (none yet) or to sign in with it (set up, but this session
skipped the code); a request that is not a page view (the editor's preview, check and upload) is refused.
"""

from functools import wraps

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from accounts import policy


def verification_redirect(request):
    """Where a staff member who must verify goes: to set up two-factor, or to sign in with the code."""
    if policy.first_device(request.user) is not None:  # set up, but this session skipped the code
        next_url = request.get_full_path()
        logout(request)  # the two-factor sign-in starts again from the password
        return redirect_to_login(next_url)
    return redirect("two_factor:setup")  # the setup page itself explains why


def staff_required(test=None):
    """Decorator: only staff who may use staff pages now (accounts.policy.staff_access) get in, and
    only if `test(user)` is true when given. Unverified staff opening a page are sent to verify."""

    def decorator(view):
        @wraps(view)
        def staff_only(request, *args, **kwargs):
            user = request.user
            page_view = request.method in ("GET", "HEAD")
            if page_view and not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if page_view and policy.needs_verification(user):
                return verification_redirect(request)
            if not policy.staff_access(user) or (test is not None and not test(user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return staff_only

    return decorator

"""Staff sessions that end: 30 minutes without a request, and 12 hours after signing in however active.

A staff session ends after 30 minutes without a request (SESSION_COOKIE_AGE, renewed on every request)
and, however active, 12 hours after signing in (STAFF_SESSION_MAX_AGE). Who must use two-factor sign-in
is accounts.policy; where it is enforced is the admin site and accounts.access.staff_required.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

from accounts import sudo

SIGNED_IN_AT = "staff_signed_in_at"


def stamp_sign_in(sender, request, user, **kwargs):
    """user_logged_in (connected in AccountsConfig.ready): when this session began, and that the
    password was just typed (sudo mode)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()
        sudo.stamp_password_confirmed(request)


class StaffSessionMiddleware:
    """Ends staff sessions 12 hours after signing in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.is_staff:
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, time.time())
            if time.time() - signed_in_at > settings.STAFF_SESSION_MAX_AGE:
                next_url = request.get_full_path()
                logout(request)
                messages.info(request, "You were signed out after 12 hours. Please sign in again.")
                return redirect_to_login(next_url)
        return self.get_response(request)

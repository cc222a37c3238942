"""How staff sign in: two-factor sign-in where health data can be seen, and sessions that end.

Anyone who can see inquiries or manage staff accounts must use an authenticator app (TOTP, with backup
codes) before the admin opens for them; DJANGO_TWO_FACTOR_FOR_ALL_STAFF extends that to every staff
member. A staff session ends after 30 minutes without a request (SESSION_COOKIE_AGE, renewed on every
request) and, however active, 12 hours after signing in (STAFF_SESSION_MAX_AGE).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from two_factor.utils import default_device

SIGNED_IN_AT = "staff_signed_in_at"
PROTECTED_PREFIXES = ("/admin/", "/markdownx/")


def needs_two_factor(user):
    return (
        settings.TWO_FACTOR_FOR_ALL_STAFF
        or user.is_superuser
        or user.has_perm("inquiries.view_inquiry")
        or user.has_perm("auth.change_user")
    )


def axes_username(request, credentials):
    """The user name a sign-in attempt was for, from the login form's first step (django-axes)."""
    if credentials and credentials.get("username"):
        return credentials["username"]
    return request.POST.get("auth-username", "") if request is not None else ""


def stamp_sign_in(sender, request, user, **kwargs):
    """user_logged_in (connected in AccountsConfig.ready): when this staff session began."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()


def _to_login(request, message):
    next_url = request.get_full_path()
    logout(request)
    messages.info(request, message)
    return redirect(f"{reverse('two_factor:login')}?{urlencode({'next': next_url})}")


class StaffSessionMiddleware:
    """Ends staff sessions after 12 hours and sends staff who need two-factor sign-in to set it up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.is_staff:
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, time.time())
            if time.time() - signed_in_at > settings.STAFF_SESSION_MAX_AGE:
                return _to_login(request, "You were signed out after 12 hours. Please sign in again.")
            if (
                request.path.startswith(PROTECTED_PREFIXES)
                and needs_two_factor(user)
                and not user.is_verified()
            ):
                if default_device(user) is not None:  # set up, but this session skipped the code
                    return _to_login(request, "Please sign in with your authenticator app.")
                messages.info(
                    request, "Your account needs two-factor sign-in. Set it up with an authenticator app."
                )
                return redirect("two_factor:setup")
        return self.get_response(request)

"""Asking for the password again before anything that could hand the account to someone else.

Turning two-factor sign-in off, adding an authenticator, and showing or making backup codes need the
password typed within the last STAFF_SUDO_SECONDS (5 minutes): signing in counts, and so does the
confirm-password page. Someone holding only a stolen session cookie cannot then take the account over.
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

CONFIRMED_AT = "staff_password_confirmed_at"


def stamp_password_confirmed(request):
    request.session[CONFIRMED_AT] = time.time()


def password_recently_confirmed(request):
    confirmed_at = request.session.get(CONFIRMED_AT)
    return confirmed_at is not None and 0 <= time.time() - confirmed_at <= settings.STAFF_SUDO_SECONDS


def sudo_required(view):
    """Decorator: the password must have been typed within STAFF_SUDO_SECONDS, or it is asked for."""

    @wraps(view)
    def after_password(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not password_recently_confirmed(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:confirm_password')}?{query}")
        return view(request, *args, **kwargs)

    return after_password

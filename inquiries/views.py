"""The contact form and its thank-you page.

Nothing here is cached (what a person typed must not sit in a shared cache), nothing typed reaches an
error report (sensitive_post_parameters), and bots get the same thank-you page as people.
"""

import time
import uuid

from django.conf import settings
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from inquiries import services
from inquiries.forms import FORMS
from inquiries.models import Inquiry

_signer = signing.TimestampSigner(salt="inquiries.contact-form")
SESSION_KEY = "inquiry_thanks"


def _new_token():
    return _signer.sign(uuid.uuid4().hex)


def _read_token(signed):
    """(token, seconds since the form was shown), or (None, None) if it is missing, forged or too old."""
    try:
        token = _signer.unsign(signed, max_age=settings.INQUIRY_FORM_MAX_AGE)
    except signing.BadSignature:
        return None, None
    shown = signing.b62_decode(signed.rsplit(_signer.sep, 2)[1])
    return token, time.time() - shown


def _kind(request):
    kind = request.GET.get("kind")
    return kind if kind in FORMS else Inquiry.Kind.QUESTION


def _render_form(request, form, *, status=200, notice=None):
    context = {"form": form, "kind": form.kind, "kinds": Inquiry.Kind, "notice": notice}
    return render(request, "inquiries/contact_form.html", context, status=status)


def _thank(request, *, urgent=False, method=None):
    request.session[SESSION_KEY] = {"urgent": urgent, "method": method}
    return redirect("inquiries:thanks")


@sensitive_variables()
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def contact(request):
    form_class = FORMS[_kind(request)]
    if request.method == "GET":
        return _render_form(request, form_class(initial={"token": _new_token()}))

    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.INQUIRY_MAX_REQUEST_BYTES:
        return render(request, "inquiries/too_large.html", status=413)

    token, seconds = _read_token(request.POST.get("token", ""))
    if token is None:  # missing, forged or too old: keep what was typed and ask to send it again
        data = request.POST.copy()
        data["token"] = _new_token()
        form = form_class(data)
        form.is_valid()
        notice = "This form was open for a long time. Please check your answers and send it again."
        return _render_form(request, form, notice=notice)

    form = form_class(request.POST)

    if not form.is_valid():
        return _render_form(request, form)

    if not services.rate_limit_take(client=services.client_key(request)):
        # What they typed stays on the page, so nothing is lost.
        notice = "You have sent several messages in a short time, so we cannot take another one just now."
        return _render_form(request, form, status=429, notice=notice)
    signal = ""
    if form.is_bot():
        signal = "the hidden field was filled (a bot, or a browser's autofill)"
    elif seconds < settings.INQUIRY_MIN_SECONDS:
        signal = f"sent {seconds:.1f} seconds after the form opened"
    # Kept either way: a person with autofill trips both signals, and a crisis must never be dropped.
    inquiry = services.inquiry_submit(data=form.inquiry_data(), token=token, spam_signal=signal)
    return _thank(request, urgent=inquiry.urgent, method=inquiry.get_preferred_contact_display().lower())


@never_cache
@require_http_methods(["GET"])
def thanks(request):
    """After sending: what happens next. Opened without sending, it says nothing was received."""
    context = request.session.get(SESSION_KEY)
    if context is None:
        return render(request, "inquiries/thanks.html", {"nothing_sent": True})
    return render(request, "inquiries/thanks.html", context)

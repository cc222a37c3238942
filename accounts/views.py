"""Staff's own sign-in pages: confirm the password (sudo mode), and django-two-factor-auth's pages
with this site's doors on them.

Setting up ends inside the admin, on a page that shows the ten new backup codes once. Turning two-factor
off, adding an authenticator and backup codes ask for the password again (accounts.sudo).
"""

from functools import wraps

from csp.constants import SELF
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView
from two_factor.views import BackupTokensView, DisableView, LoginView, ProfileView, SetupView

from accounts import policy, services, sudo
from accounts.access import staff_required, verification_redirect
from accounts.forms import ConfirmPasswordForm

NEW_BACKUP_CODES = "accounts_new_backup_codes"


@method_decorator([never_cache, login_required, sensitive_post_parameters("password")], name="dispatch")
class ConfirmPasswordView(FormView):
    """Type the password again, then carry on to what asked for it."""

    form_class = ConfirmPasswordForm
    template_name = "registration/confirm_password.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        sudo.stamp_password_confirmed(self.request)
        return super().form_valid(form)

    def get_success_url(self):
        next_url = self.request.POST.get("next") or self.request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return next_url if safe else reverse("admin:index")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "next": self.get_success_url()}


class StaffSetupView(SetupView):
    """Adding the authenticator app; done, it makes the backup codes the next page shows once."""

    def get_prefix(self, request, *args, **kwargs):
        return "setup_view"  # the library's own form prefix (it comes from the class name)

    def get_success_url(self):
        return reverse("two_factor:setup_complete")  # never straight on: the backup codes come first

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form, **kwargs)
        context["cancel_url"] = None  # the admin would only send them back here; the page offers sign-out
        context["two_factor_required"] = policy.two_factor_required(self.request.user)
        return context

    def done(self, form_list, **kwargs):
        response = super().done(form_list, **kwargs)
        self.request.session[NEW_BACKUP_CODES] = services.backup_codes_replace(user=self.request.user)
        return response


class StaffLoginView(LoginView):
    """two_factor's sign-in, asking for a code whenever the account has any confirmed authenticator.

    The library asks only when a device is named "default"; an account whose device was made any other
    way would otherwise sign in with the password alone.
    """

    def get_prefix(self, request, *args, **kwargs):
        return "login_view"  # the library's own form prefix (it comes from the class name)

    def _device(self):
        return policy.first_device(self.get_user())

    def has_token_step(self):
        return self._device() is not None and not self.remember_agent

    def has_backup_step(self):
        return (
            self._device() is not None
            and self.TOKEN_STEP not in self.storage.validated_step_data
            and not self.remember_agent
        )

    condition_dict = {LoginView.TOKEN_STEP: has_token_step, LoginView.BACKUP_STEP: has_backup_step}

    def post(self, *args, **kwargs):
        """A step this sign-in does not have now (a code posted before any password) starts it again,
        instead of the wizard's KeyError and a 500."""
        step = self.request.POST.get("login_view-current_step")
        if "challenge_device" in self.request.POST:  # the library then goes to the code step
            step = self.TOKEN_STEP
        if step is not None and step not in self.get_form_list():
            self.storage.reset()
            self.storage.current_step = self.steps.first
            return self.render(self.get_form())
        return super().post(*args, **kwargs)

    def get_device(self, step=None):
        if not self.get_user():  # a code posted before any password: there is nobody to ask
            return None
        device = super().get_device(step)
        if device is None or not device.confirmed:  # a device never set up does not count
            self.device_cache = device = self._device()
        return device


def first_device_only(view):
    """The setup adds the first authenticator only (checked on every step, not just the first page):
    another one would let a password-only session bypass the code it lacks. An account left with only
    backup codes (its phone deleted) sets up a new one after signing in with a backup code."""

    @wraps(view)
    def without_a_device(request, *args, **kwargs):
        verified = policy.is_verified(request.user)
        if policy.authenticator(request.user) is not None:
            return redirect("two_factor:profile") if verified else verification_redirect(request)
        if policy.first_device(request.user) is not None and not verified:
            return verification_redirect(request)
        return view(request, *args, **kwargs)

    return without_a_device


@staff_required()
@never_cache
@csp_update({"script-src": [SELF]})  # the admin's own scripts and the print button
def setup_complete(request):
    """The end of the setup, inside the admin: the new backup codes, shown this once."""
    request.session.pop("next", None)  # two_factor's login leaves it for its own setup-complete page
    context = {
        **admin.site.each_context(request),
        "title": "Two-factor sign-in is set up",
        "codes": request.session.pop(NEW_BACKUP_CODES, None),
    }
    return TemplateResponse(request, "two_factor/core/setup_complete.html", context)


login = StaffLoginView.as_view()
confirm_password = ConfirmPasswordView.as_view()
setup = login_required(first_device_only(sudo.sudo_required(StaffSetupView.as_view())))
backup_tokens = staff_required()(
    sudo.sudo_required(csp_update({"script-src": [SELF]})(BackupTokensView.as_view()))  # the print button
)
disable = staff_required()(sudo.sudo_required(DisableView.as_view()))
profile = staff_required()(ProfileView.as_view())

"""The admin screens that could hand an account to someone else ask for the password again.

Staff accounts, groups and the two-factor devices can make a stolen session permanent: a new
administrator, a new password, a deleted authenticator. Their screens need the password typed within
STAFF_SUDO_SECONDS (accounts.sudo), like turning two-factor off does. Authenticators are never typed
into the admin (its form would take a key of the typist's choosing, and a device named other than
"default" was once ignored by the sign-in): they are added only by the setup, and an administrator may
only look at them or delete one (a lost phone), after confirming the password.

`harden()` runs from AccountsConfig.ready(), after every app's admin module has registered its models.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.decorators import method_decorator
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.sudo import sudo_required

SUDO_VIEWS = ("add_view", "change_view", "delete_view", "user_change_password", "history_view")


def _with_sudo(model_admin_class):
    """A subclass of the model's admin whose changing screens ask for the password again."""
    overrides = {
        name: method_decorator(sudo_required)(getattr(model_admin_class, name))
        for name in SUDO_VIEWS
        if hasattr(model_admin_class, name)
    }
    overrides["get_actions"] = _without_bulk_delete(model_admin_class)
    return type(f"Sudo{model_admin_class.__name__}", (model_admin_class,), overrides)


def _without_bulk_delete(base):
    """The changelist's "delete selected" would delete without the password: one at a time only."""

    def get_actions(self, request):
        actions = base.get_actions(self, request)
        actions.pop("delete_selected", None)
        return actions

    return get_actions


class _LookAndDeleteOnly:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def harden(site=None):
    site = site or admin.site
    for model in (get_user_model(), Group, TOTPDevice, StaticDevice):
        if not site.is_registered(model):
            continue
        current = type(site.get_model_admin(model))
        hardened = _with_sudo(current)
        if model in (TOTPDevice, StaticDevice):
            hardened = type(hardened.__name__, (_LookAndDeleteOnly, hardened), {})
        site.unregister(model)
        site.register(model, hardened)

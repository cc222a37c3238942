"""Who must sign in with an authenticator app, and who may use staff-only pages right now.

Every active staff member (and every superuser) must verify with an authenticator app (TOTP, with
backup codes) before any staff-only page opens. TWO_FACTOR_FOR_ALL_STAFF=False relaxes that for a demo,
but never for superusers or for anyone with any permission on what is sensitive: the inquiries (health
data and the access log), staff accounts, groups and permissions, the two-factor devices themselves
and the lockout records. Everything else asks these functions, so the rule lives in one place.
"""

from django.conf import settings
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice

# Any permission on a model of these apps makes two-factor sign-in compulsory ...
SENSITIVE_APPS = frozenset({"inquiries", "otp_static", "otp_totp", "axes"})
# ... and so does any permission (view, add, change, delete, or custom) on these models.
SENSITIVE_MODELS = frozenset({("auth", "user"), ("auth", "group"), ("auth", "permission")})


def _is_sensitive(permission):
    app_label, codename = permission.split(".", 1)
    return app_label in SENSITIVE_APPS or (app_label, codename.rpartition("_")[2]) in SENSITIVE_MODELS


def two_factor_required(user):
    """True when this account must verify with an authenticator app before staff pages open."""
    if not user.is_active or not (user.is_staff or user.is_superuser):
        return False
    if settings.TWO_FACTOR_FOR_ALL_STAFF or user.is_superuser:
        return True
    return any(_is_sensitive(permission) for permission in user.get_all_permissions())


def authenticator(user):
    """The account's authenticator app: its "default" TOTP device, or else any confirmed one (a device
    made in the shell or an older admin may have another name). None when it has none."""
    if not user or not user.is_authenticated:
        return None
    devices = [
        device for device in devices_for_user(user, confirmed=True) if not isinstance(device, StaticDevice)
    ]
    return next((device for device in devices if device.name == "default"), None) or next(iter(devices), None)


def first_device(user):
    """What the sign-in must ask a code of: the authenticator, or else backup codes still unused (left
    when an administrator deletes a lost phone). None when the account has neither: it must set one up."""
    found = authenticator(user)
    if found is None and user and user.is_authenticated:
        found = next(
            (
                device
                for device in devices_for_user(user, confirmed=True)
                if isinstance(device, StaticDevice) and device.token_set.exists()
            ),
            None,
        )
    return found


def is_verified(user):
    """True when this session signed in with a code (django_otp's middleware adds `is_verified`)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def needs_verification(user):
    """A signed-in staff member who must use an authenticator app and has not, in this session."""
    return user.is_authenticated and two_factor_required(user) and not is_verified(user)


def staff_access(user):
    """May use staff-only pages now: active staff, verified whenever two-factor sign-in is required."""
    return user.is_active and user.is_staff and not needs_verification(user)


def can_see_drafts(user, model):
    """Drafts of a kind of document (`model`) are shown on its public address only to staff who signed in
    with two-factor in this session (even where a demo relaxes the rule for staff pages) and may change
    that kind of document. Everyone else (the front desk, an account without two-factor set up, a
    visitor) sees the public site."""
    opts = model._meta
    return (
        staff_access(user)
        and is_verified(user)
        and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
    )

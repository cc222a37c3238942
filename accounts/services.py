"""Staff account actions, as small functions with keyword-only arguments."""

from django_otp.plugins.otp_static.models import StaticToken

BACKUP_CODE_COUNT = 10


def backup_codes_replace(*, user, count=BACKUP_CODE_COUNT):
    """Give the user `count` new one-time backup codes (the old ones stop working) and return them."""
    # The same device django-two-factor-auth's backup-codes page uses, so both see one set of codes.
    device, _ = user.staticdevice_set.get_or_create(defaults={"name": "backup"})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes

"""Model fields whose values are encrypted at rest with a key kept apart from the database.

The key (or keys, newest first, for rotation) comes from INQUIRY_ENCRYPTION_KEY. Values are Fernet
tokens (AES-128-CBC with HMAC-SHA256), so the database file alone never reveals what a patient typed.
"""

import datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_cached = {}


def _fernet():
    keys = tuple(settings.INQUIRY_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured(
            "INQUIRY_ENCRYPTION_KEY is not set: inquiries cannot be stored or read without it. "
            "`make run` keeps one in var/inquiry_key; see the README."
        )
    if keys not in _cached:
        try:
            _cached.clear()
            _cached[keys] = MultiFernet([Fernet(key) for key in keys])
        except ValueError as error:
            raise ImproperlyConfigured("INQUIRY_ENCRYPTION_KEY is not a valid Fernet key.") from error
    return _cached[keys]


def encrypt(text):
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token):
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "An encrypted value cannot be read with INQUIRY_ENCRYPTION_KEY."
        ) from error


class EncryptedTextField(models.TextField):
    """Text stored encrypted. Empty text stays empty, so 'was anything given?' needs no key."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""


class EncryptedDateField(models.TextField):
    """A date stored encrypted (as ISO text); reads back as a datetime.date or None."""

    def get_prep_value(self, value):
        if value in (None, ""):
            return ""
        if isinstance(value, datetime.date):
            value = value.isoformat()
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        return datetime.date.fromisoformat(decrypt(value)) if value else None

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.date):
            return value
        return datetime.date.fromisoformat(value)

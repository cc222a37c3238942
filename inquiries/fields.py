"""Model fields whose values are encrypted at rest with a key kept apart from the database.

The key (or keys, newest first, for rotation) comes from INQUIRY_ENCRYPTION_KEY. Values are Fernet
tokens (AES-128-CBC with HMAC-SHA256), so the database file alone never reveals what a patient typed.
"""

import datetime
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

logger = logging.getLogger(__name__)
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


class Unreadable(str):
    """A value no configured key can read (a key retired too early): shown as a notice instead of
    breaking the whole queue, and stored back exactly as it was, so saving the row loses nothing."""

    def __new__(cls, token):
        value = super().__new__(cls, "[cannot be decrypted: check INQUIRY_ENCRYPTION_KEY]")
        value.token = token
        return value


def decrypt(token):
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        logger.error("An inquiry value cannot be decrypted with any INQUIRY_ENCRYPTION_KEY.")
        return Unreadable(token)


def rotate(token):
    """The token encrypted again with the first (newest) key; Unreadable raised as InvalidToken."""
    return _fernet().rotate(token.encode()).decode()


def encrypted_fields(model):
    return [
        field for field in model._meta.fields if isinstance(field, (EncryptedTextField, EncryptedDateField))
    ]


class EncryptedTextField(models.TextField):
    """Text stored encrypted. Empty text stays empty, so 'was anything given?' needs no key."""

    def get_prep_value(self, value):
        if isinstance(value, Unreadable):
            return value.token
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""


class EncryptedDateField(models.TextField):
    """A date stored encrypted (as ISO text); reads back as a datetime.date or None."""

    def get_prep_value(self, value):
        if isinstance(value, Unreadable):
            return value.token
        if value in (None, ""):
            return ""
        if isinstance(value, datetime.date):
            value = value.isoformat()
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if not value:
            return None
        text = decrypt(value)
        return text if isinstance(text, Unreadable) else datetime.date.fromisoformat(text)

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, (datetime.date, Unreadable)):
            return value
        return datetime.date.fromisoformat(value)

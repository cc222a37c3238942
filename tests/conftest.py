"""Shared fixtures: fast, isolated settings for every test, the authored content, and staff users."""

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from content.models import Page

TEST_ENCRYPTION_KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PAGE_CACHE_VERSION_FILE = tmp_path / "page-cache-version"
    # The page cache is cleared when a transaction commits, and most tests never commit: they run without
    # it. tests/test_page_cache.py turns it on and really commits.
    settings.PAGE_CACHE_SECONDS = 0
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.INQUIRY_ENCRYPTION_KEYS = [TEST_ENCRYPTION_KEY]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FRONT_DESK_EMAIL = "desk@clinic.example"
    settings.SITE_URL = "https://clinic.example"
    # The manifest storage needs collectstatic; tests read static files from the source folders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


class StaffClient(Client):
    """A test client whose force_login is two-factor verified, as after a real sign-in with a code.

    `force_login(user, verified=False)` signs in with the password step only.
    """

    def force_login(self, user, backend=None, verified=True):
        super().force_login(user, backend)
        session = self.session
        if verified and user.is_staff:
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="default", defaults={"confirmed": True}
            )
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        else:  # signing in again as the same user keeps the session: forget an earlier verification
            session.pop(DEVICE_ID_SESSION_KEY, None)
        session.save()


@pytest.fixture
def client():
    return StaffClient()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the authored content once into the test database; each test's changes are rolled back."""
    with django_db_blocker.unblock():
        call_command("load_content", verbosity=0)


@pytest.fixture
def committed(transactional_db):
    """The authored content, committed: for tests whose changes really commit (a transactional test
    starts from whatever the last one left, so it loads the content again)."""
    call_command("load_content", verbosity=0)


@pytest.fixture
def authored(db):
    """Every authored page and condition, and the clinic profile, as `make run` loads them."""


@pytest.fixture
def editor(django_user_model):
    """A staff member who may change pages and conditions."""
    user = django_user_model.objects.create_user("editor", password="a long test password", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_page", "change_page", "view_condition", "change_condition"]
        )
    )
    return user


@pytest.fixture
def staff_without_edit(django_user_model):
    return django_user_model.objects.create_user("viewer", password="a long test password", is_staff=True)


@pytest.fixture
def draft_page(db):
    return Page.objects.create(
        title="A draft page",
        slug="a-draft-page",
        summary="Not ready yet.",
        body="## Is it ready?\n\nNo.",
        published=False,
    )


def _member_of(django_user_model, username, group):
    user = django_user_model.objects.create_user(username, password="a long test password", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def front_desk(django_user_model):
    return _member_of(django_user_model, "desk", "Front desk")


@pytest.fixture
def content_editor(django_user_model):
    return _member_of(django_user_model, "writer", "Content editors")


@pytest.fixture
def clinical_reviewer(django_user_model):
    from content.models import ClinicalReviewer

    user = _member_of(django_user_model, "reviewer", "Clinical reviewers")
    user.first_name, user.last_name = "Ana", "Reyes"
    user.save()
    ClinicalReviewer.objects.create(user=user, credentials="MD, psychiatrist")
    return user

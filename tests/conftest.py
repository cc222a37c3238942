"""Shared fixtures: fast, isolated settings for every test, the authored content, and staff users."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from content.models import Page


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage needs collectstatic; tests read static files from the source folders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def authored(db):
    """Every authored page and condition, and the clinic profile, as `make run` loads them."""
    call_command("load_content", verbosity=0)


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

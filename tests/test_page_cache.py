"""The page cache: fast for patients, never stale after a change, never used for staff or the form.

The cache is cleared when a change commits, so the tests that change content really commit
(`transactional_db`): a test inside a rolled-back transaction would never see the clearing happen.
"""

import re

import pytest
from django.db import transaction
from django.test import Client

from content import publishing
from content.models import ClinicProfile, Page
from core import page_cache


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def test_a_public_page_is_served_from_memory_the_second_time(client, authored, django_assert_num_queries):
    first = client.get("/learn/faq/")
    with django_assert_num_queries(0):
        second = client.get("/learn/faq/")
    assert second.content == first.content and second.status_code == 200
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_published_change_shows_at_once_in_every_worker(client, committed):
    other_worker = Client()
    client.get("/learn/faq/")
    other_worker.get("/learn/faq/")
    page = Page.objects.get(slug="faq")
    page.body = "## Is this new?\n\nFreshly published words."
    page.save()
    publishing.publish(document=page, user=None)
    assert "Freshly published words." in client.get("/learn/faq/").content.decode()
    assert "Freshly published words." in other_worker.get("/learn/faq/").content.decode()


def test_a_clinic_profile_change_reaches_every_cached_page(client, committed):
    client.get("/")
    profile = ClinicProfile.load()
    profile.phone = "(555) 010-0177"
    publishing.publish_clinic_profile(
        profile=publishing.save_clinic_profile(profile=profile, user=None), user=None
    )
    assert "(555) 010-0177" in client.get("/").content.decode()


def test_staff_never_get_a_cached_page(client, authored, editor):
    client.get("/learn/faq/")
    page = Page.objects.get(slug="faq")
    page.body = "## Draft?\n\nOnly a draft."
    page.save()
    client.force_login(editor)
    assert "Draft — patients cannot see this" in client.get("/learn/faq/").content.decode()
    client.logout()
    assert "Only a draft." not in Client().get("/learn/faq/").content.decode()


def test_the_form_is_never_cached(authored):
    tokens = set()
    for _ in range(2):
        body = Client().get("/contact/").content.decode()
        tokens.add(re.search(r'name="token" value="([^"]+)"', body).group(1))
    assert len(tokens) == 2


def test_workers_are_told_only_after_the_change_commits(client, committed):
    """Told before the commit, another worker (its own database connection) would render the old page
    again and keep it for ten minutes. So the version the workers watch moves on commit, not on save."""
    client.get("/learn/faq/")
    before = page_cache._version()
    with transaction.atomic():
        page = Page.objects.get(slug="faq")
        page.body = "## Is this new?\n\nWords from inside the transaction."
        page.save()
        publishing.publish(document=page, user=None)
        told_before_commit = page_cache._version() != before
    assert not told_before_commit
    assert page_cache._version() != before
    assert "Words from inside the transaction." in client.get("/learn/faq/").content.decode()


def test_a_rolled_back_change_leaves_the_cache_alone(client, committed):
    client.get("/learn/faq/")
    version = (client.get("/learn/faq/").content, Page.objects.get(slug="faq").body)
    with pytest.raises(RuntimeError), transaction.atomic():
        page = Page.objects.get(slug="faq")
        page.body = "## Rolled back?\n\nNever happened."
        page.save()
        publishing.publish(document=page, user=None)
        raise RuntimeError
    assert client.get("/learn/faq/").content == version[0]


def test_a_read_only_data_folder_does_not_stop_a_page_from_saving(committed, settings, tmp_path, caplog):
    # A folder that cannot be written, even by root (the tests may run as root): a file stands in its place.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.PAGE_CACHE_VERSION_FILE = blocked / "page-cache-version"
    page = Page.objects.get(slug="faq")
    page.body += "\n\nOne more line."
    page.save()
    assert "One more line." in Page.objects.get(slug="faq").body
    assert "could not clear the page cache" in caplog.text


def test_the_cache_can_be_turned_off(client, authored, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/learn/faq/")
    with django_assert_max_num_queries(10) as queries:
        client.get("/learn/faq/")
    assert len(queries) > 0


def test_compressed_and_plain_copies_are_kept_apart(client, authored):
    import gzip

    plain = client.get("/learn/faq/").content
    packed = client.get("/learn/faq/", headers={"accept-encoding": "gzip"})
    again = client.get("/learn/faq/", headers={"accept-encoding": "gzip"})
    assert packed["Content-Encoding"] == again["Content-Encoding"] == "gzip"
    assert gzip.decompress(again.content) == plain and len(again.content) < len(plain) / 2
    assert client.get("/learn/faq/").content == plain


def test_a_client_that_says_nogzip_does_not_spoil_the_compressed_copy(client, authored):
    client.get("/learn/faq/", headers={"accept-encoding": "nogzip"})
    packed = client.get("/learn/faq/", headers={"accept-encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip"

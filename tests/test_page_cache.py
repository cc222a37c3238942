"""The page cache: fast for patients, never stale after a change, never used for staff or the form."""

import re

from django.test import Client

from content.models import ClinicProfile, Page


def test_a_public_page_is_served_from_memory_the_second_time(client, authored, django_assert_num_queries):
    first = client.get("/learn/faq/")
    with django_assert_num_queries(0):
        second = client.get("/learn/faq/")
    assert second.content == first.content and second.status_code == 200
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_published_change_shows_at_once_in_every_worker(client, authored):
    other_worker = Client()
    client.get("/learn/faq/")
    other_worker.get("/learn/faq/")
    page = Page.objects.get(slug="faq")
    page.body = "## Is this new?\n\nFreshly published words."
    page.save()
    page.publish()
    assert "Freshly published words." in client.get("/learn/faq/").content.decode()
    assert "Freshly published words." in other_worker.get("/learn/faq/").content.decode()


def test_a_clinic_profile_change_reaches_every_cached_page(client, authored):
    client.get("/")
    profile = ClinicProfile.load()
    profile.phone = "(555) 010-0177"
    profile.save()
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

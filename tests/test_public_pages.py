"""What a visitor gets: every public URL, the crisis card, landmarks, metadata and a bounded query count."""

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.template.loader import render_to_string

from conditions.models import Condition, EvidenceLevel
from content import publishing
from content.models import Page

PAGE_SLUGS = sorted(p.stem for p in (Path(settings.BASE_DIR) / "content" / "pages").glob("*.md"))
CONDITION_SLUGS = sorted(p.stem for p in (Path(settings.BASE_DIR) / "conditions" / "pages").glob("*.md"))
HTML_URLS = [
    "/",
    "/learn/",
    "/conditions/",
    "/contact/",
    "/contact/?kind=insurance",
    "/contact/thanks/",
    *[f"/learn/{slug}/" for slug in PAGE_SLUGS],
    *[f"/conditions/{slug}/" for slug in CONDITION_SLUGS],
]
CRISIS_TEXT = "If you are thinking about harming yourself, call or text"


def test_the_authored_content_is_all_there():
    assert len(PAGE_SLUGS) == 9 and len(CONDITION_SLUGS) == 9


@pytest.mark.parametrize("url", [*HTML_URLS, "/sitemap.xml", "/robots.txt"])
def test_every_public_url_answers_200(client, authored, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [*HTML_URLS, "/no-such-page/", "/learn/no-such-page/"])
def test_crisis_card_with_988_and_911_is_on_every_page(client, authored, url):
    body = client.get(url).content.decode()
    crisis = re.search(r'<aside class="crisis".*?</aside>', body, re.S).group(0)
    assert CRISIS_TEXT in crisis
    assert 'href="tel:988"' in crisis and 'href="sms:988"' in crisis and 'href="tel:911"' in crisis
    # It comes before the page's own content, outside anything staff can edit.
    assert body.index('<aside class="crisis"') < body.index('<main id="main-content"')


def test_404_is_in_the_site_design(client, authored):
    response = client.get("/learn/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We cannot find that page" in body and 'class="site-footer"' in body


def test_500_page_renders_without_a_database_or_request():
    body = render_to_string("500.html")
    assert "Something went wrong" in body and CRISIS_TEXT in body and 'href="tel:988"' in body


@pytest.mark.parametrize("url", HTML_URLS)
def test_every_page_has_landmarks_title_description_and_canonical(client, authored, url):
    body = client.get(url).content.decode()
    assert body.index('class="skip-link" href="#main-content"') < body.index("<header")
    assert '<main id="main-content"' in body and '<nav class="site-nav" aria-label="Main">' in body
    assert body.count("<h1") == 1
    assert re.search(r"<title>[^<]+ \| Example Ketamine Clinic</title>", body)
    description = re.search(r'<meta name="description" content="([^"]+)">', body).group(1)
    assert 20 < len(description) <= 200
    assert f'<link rel="canonical" href="http://testserver{url.split("?")[0]}">' in body
    assert "this site gives general information, not medical advice" in body
    assert 'href="tel:+15550100100"' in body  # the clinic's phone, tap to call


class _Resources(HTMLParser):
    """The URLs a browser fetches by itself while loading a page (not the links a reader may follow)."""

    FETCHED = {
        "img": "src",
        "script": "src",
        "iframe": "src",
        "source": "src",
        "video": "src",
        "audio": "src",
    }

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") != "canonical":
            self.urls.append(attrs.get("href"))
        elif tag in self.FETCHED and attrs.get(self.FETCHED[tag]):
            self.urls.append(attrs[self.FETCHED[tag]])


@pytest.mark.parametrize("url", HTML_URLS)
def test_no_page_asks_another_host_for_anything(client, authored, url):
    parser = _Resources()
    parser.feed(client.get(url).content.decode())
    assert parser.urls, "the page should at least load its stylesheet"
    for resource in parser.urls:
        assert resource.startswith("/") and not resource.startswith("//"), f"{url} fetches {resource}"


def test_home_leads_to_every_topic_and_condition(client, authored):
    body = client.get("/").content.decode()
    for slug in PAGE_SLUGS:
        assert f'href="/learn/{slug}/"' in body
    for slug in CONDITION_SLUGS:
        assert f'href="/conditions/{slug}/"' in body


def test_home_describes_the_clinic_in_json_ld(client, authored):
    body = client.get("/").content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body).group(1))
    assert data["@type"] == "MedicalClinic"
    assert data["telephone"] == "(555) 010-0100"
    assert data["address"]["addressLocality"] == "Springfield"


def test_reviewed_page_shows_review_and_json_ld(client, authored, clinical_reviewer):
    page = Page.objects.get(slug="side-effects-and-risks")
    clinical_reviewer.first_name = "Dr. Ana"
    with time_machine.travel(datetime(2026, 10, 1, 15, tzinfo=UTC), tick=False):
        publishing.mark_reviewed(document=page, user=clinical_reviewer)
    body = client.get(page.get_absolute_url()).content.decode()
    assert "Last reviewed October 1, 2026 by Dr. Ana Reyes, MD, psychiatrist." in body
    assert "Next review due October 1, 2027." in body
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body).group(1))
    assert data["@type"] == "MedicalWebPage"
    assert data["lastReviewed"] == "2026-10-01"
    assert data["reviewedBy"] == {
        "@type": "Person",
        "name": "Dr. Ana Reyes",
        "description": "MD, psychiatrist",
    }


def test_unreviewed_page_says_so_plainly(client, authored):
    body = client.get("/learn/faq/").content.decode()
    assert "This page has not yet been reviewed by one of our clinicians." in body
    assert "lastReviewed" not in body


def test_json_ld_cannot_be_broken_out_of(client, db):
    page = Page.objects.create(title="</script><script>alert(1)</script>", slug="x", summary="S", body="B")
    publishing.publish(document=page, user=None)
    response = client.get(page.get_absolute_url())
    assert response.status_code == 200 and "<script>alert(1)" not in response.content.decode()


def test_long_page_has_contents_breadcrumbs_related_and_one_next_step(client, authored):
    body = client.get("/learn/side-effects-and-risks/").content.decode()
    assert '<nav class="toc" aria-labelledby="toc-title">' in body
    assert '<a href="#what-side-effects-are-common">' in body
    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in body
    assert '<span aria-current="page">Side effects and risks</span>' in body
    assert '<nav class="related"' in body
    assert body.count('class="next-step"') == 1
    assert 'href="/learn/what-to-expect/">Read next: What to expect' in body


def test_short_page_has_no_table_of_contents(client, db):
    page = Page.objects.create(
        title="Short", slug="short", summary="S", body="## One?\n\nYes.", published=True
    )
    assert 'class="toc"' not in client.get(page.get_absolute_url()).content.decode()


def test_page_without_next_page_invites_contact(client, authored):
    body = client.get("/learn/faq/").content.decode()
    next_step = re.search(r'<section class="next-step".*?</section>', body, re.S).group(0)
    assert '<a class="button" href="/contact/">Contact us</a>' in next_step
    assert 'href="/contact/?kind=insurance"' in next_step and 'href="tel:+15550100100"' in next_step


@pytest.mark.parametrize("url", HTML_URLS)
def test_every_page_links_the_contact_form_in_footer(client, authored, url):
    footer = client.get(url).content.decode().split('<footer class="site-footer">')[1]
    assert 'href="/contact/"' in footer and 'href="/contact/?kind=insurance"' in footer


def test_unpublished_page_is_404_for_visitors_and_visible_to_staff(client, draft_page, editor):
    assert client.get(draft_page.get_absolute_url()).status_code == 404
    client.force_login(editor)
    response = client.get(draft_page.get_absolute_url())
    assert response.status_code == 200
    assert "Draft — patients cannot see this." in response.content.decode()


def test_unpublished_pages_stay_out_of_lists_related_and_sitemap(client, authored, draft_page):
    linking = Page.objects.get(slug="faq")
    linking.related.add(draft_page)
    for url in ["/", "/learn/", "/learn/faq/", "/sitemap.xml"]:
        assert draft_page.get_absolute_url() not in client.get(url).content.decode(), url


def test_conditions_are_grouped_by_evidence_level_in_order(client, authored):
    body = client.get("/conditions/").content.decode()
    positions = [body.index(f'id="group-{level}"') for level in EvidenceLevel.values]
    assert positions == sorted(positions)
    fda_group = body[positions[0] : positions[1]]
    assert "/conditions/treatment-resistant-depression/" in fda_group
    assert "/conditions/ptsd/" not in fda_group


def test_condition_page_states_its_evidence(client, authored):
    condition = Condition.objects.get(slug="ocd")
    body = client.get(condition.get_absolute_url()).content.decode()
    assert "Evidence: Early research." in body
    assert '<a href="/learn/who-can-have-ketamine/">' in body


def test_sitemap_lists_every_published_document(client, authored):
    body = client.get("/sitemap.xml").content.decode()
    for url in [u for u in HTML_URLS if "?" not in u and "thanks" not in u]:
        assert f"<loc>http://testserver{url}</loc>" in body


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_admin(client):
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in body and "Sitemap: http://testserver/sitemap.xml" in body


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")
    assert (Path(settings.BASE_DIR) / "static" / "img" / "favicon.svg").exists()


@pytest.mark.parametrize("url", HTML_URLS)
def test_a_bounded_number_of_queries_per_page(client, authored, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(6):
        client.get(url)


def test_a_forged_host_header_gets_the_400_page_not_a_500(client, authored):
    response = client.get("/learn/faq/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()

"""Staff editing in the admin: markdownx live preview, review columns, the one clinic profile."""

import re

import pytest
from django.core.management import call_command

from conditions.models import Condition
from content import publishing
from content.models import ClinicProfile, Page


@pytest.fixture
def admin_client(client, admin_user, authored):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(
    "url",
    ["/admin/content/page/add/", "/admin/conditions/condition/add/"],
)
def test_markdown_fields_use_the_markdownx_live_preview(admin_client, url):
    body = admin_client.get(url).content.decode()
    assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in body
    assert "markdownx-preview" in body and "markdownx/js/markdownx" in body
    assert "css/admin.css" in body


def test_page_and_condition_lists_show_published_and_next_review(admin_client):
    for url in ["/admin/content/page/", "/admin/conditions/condition/"]:
        body = admin_client.get(url).content.decode()
        assert "column-publication" in body and "column-next_review_due" in body


def test_editing_a_page_in_the_admin_renders_its_html(admin_client):
    page = Page.objects.get(slug="faq")
    data = {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "body": "## Is this new?\n\nYes, staff wrote it.",
        "references": page.references,
        "published": "on",
        "nav_order": page.nav_order,
        "related": [p.pk for p in page.related.all()],
        "next_page": "",
        "last_reviewed": "",
        "next_review_due": "",
        "reviewer_name": "",
        "reviewer_credentials": "",
    }
    response = admin_client.post(f"/admin/content/page/{page.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    assert '<h2 id="is-this-new">Is this new?</h2>' in page.body_html
    assert page.is_edited


def test_condition_change_page_opens(admin_client):
    condition = Condition.objects.get(slug="ptsd")
    assert admin_client.get(f"/admin/conditions/condition/{condition.pk}/change/").status_code == 200


def test_clinic_profile_is_one_record_staff_can_edit_but_not_add_or_delete(admin_client):
    profile = ClinicProfile.load()
    assert admin_client.get(f"/admin/content/clinicprofile/{profile.pk}/change/").status_code == 200
    assert admin_client.get("/admin/content/clinicprofile/add/").status_code == 403
    assert admin_client.get(f"/admin/content/clinicprofile/{profile.pk}/delete/").status_code == 403


def _profile_form(profile, **changes):
    data = {name: getattr(profile, name) for name in ClinicProfile.PUBLIC_FIELDS}
    return {**data, **changes}


def test_a_clinic_profile_draft_reaches_patients_only_when_published(
    client, authored, content_editor, clinical_reviewer
):
    profile = ClinicProfile.load()
    url = f"/admin/content/clinicprofile/{profile.pk}/change/"
    client.force_login(content_editor)
    form = client.get(url).content.decode()
    assert 'name="_publish"' not in form
    client.post(url, _profile_form(profile, phone="(555) 010-0199", _publish="x"))  # an editor cannot publish
    assert ClinicProfile.load().phone == "(555) 010-0199"  # the draft is kept
    client.logout()
    page = client.get("/learn/faq/").content.decode()
    assert 'href="tel:+15550100199"' not in page and "(555) 010-0199" not in client.get("/").content.decode()
    client.force_login(clinical_reviewer)
    assert "draft changes patients do not see yet: phone" in client.get(url).content.decode()
    client.post(url, _profile_form(ClinicProfile.load(), _publish="Save and publish"))
    client.logout()
    assert 'href="tel:+15550100199"' in client.get("/learn/faq/").content.decode()


def test_restoring_the_clinic_profile_makes_a_draft(client, authored, clinical_reviewer):
    profile = ClinicProfile.load()
    old_phone = profile.live["phone"]
    url = f"/admin/content/clinicprofile/{profile.pk}/change/"
    client.force_login(clinical_reviewer)
    client.post(url, _profile_form(profile, phone="(555) 010-0111", _publish="x"))
    record = ClinicProfile.history.filter(phone=old_phone).order_by("history_id").first()
    publishing.restore_clinic_profile(profile=ClinicProfile.load(), record=record, user=clinical_reviewer)
    restored = ClinicProfile.load()
    assert restored.phone == old_phone and restored.live["phone"] == "(555) 010-0111"


def test_first_admin_is_created_once_with_a_printed_random_password(db, django_user_model, capsys):
    call_command("create_first_admin")
    out = capsys.readouterr().out
    user = django_user_model.objects.get()
    assert user.username == "admin" and user.is_superuser
    password = next(line.split()[-1] for line in out.splitlines() if "password:" in line)
    assert len(password) >= 20 and user.check_password(password)
    call_command("create_first_admin")
    assert capsys.readouterr().out == ""
    assert django_user_model.objects.count() == 1


def test_two_people_editing_the_clinic_profile_cannot_overwrite_each_other(client, authored, content_editor):
    profile = ClinicProfile.load()
    url = f"/admin/content/clinicprofile/{profile.pk}/change/"
    client.force_login(content_editor)
    opened = int(re.search(r'name="opened_version" value="(\d+)"', client.get(url).content.decode()).group(1))
    first = client.post(
        url, _profile_form(profile, hours="Mon–Fri 9–5", opened_version=opened, _continue="x")
    )
    assert first.status_code == 302
    second = client.post(
        url, _profile_form(profile, hours="Mon–Sat 8–6", opened_version=opened, _continue="x")
    )
    assert second.status_code == 200 and "someone else saved" in second.content.decode()
    assert "Mon–Sat 8–6" in second.content.decode() and ClinicProfile.load().hours == "Mon–Fri 9–5"

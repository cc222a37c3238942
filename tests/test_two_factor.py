"""Two-factor sign-in on every staff door: who needs it, the admin, drafts, the editor, setup, sudo mode."""

import time
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.policy import two_factor_required
from content.models import Page

LOGIN = "/account/login/"
SETUP = "/account/two_factor/setup/"
COMPLETE = "/account/two_factor/setup/complete/"
BACKUP = "/account/two_factor/backup/tokens/"
DISABLE = "/account/two_factor/disable/"
CONFIRM = "/account/confirm-password/"
PASSWORD = "a long test password"


def sign_in_with_password(client, username, password=PASSWORD):
    return client.post(
        LOGIN, {"login_view-current_step": "auth", "auth-username": username, "auth-password": password}
    )


def set_up_authenticator(client):
    """Walk the setup wizard as a person would; returns the last response (the redirect when done)."""
    client.get(SETUP)
    client.post(SETUP, {"setup_view-current_step": "welcome"})
    response = client.post(SETUP, {"setup_view-current_step": "method", "method-method": "generator"})
    assert "generator-token" in response.content.decode(), "the authenticator-app step did not open"
    key = b32decode(client.session["django_two_factor-qr_secret_key"])
    return client.post(SETUP, {"setup_view-current_step": "generator", "generator-token": f"{totp(key):06d}"})


def with_permissions(user, *names):
    for name in names:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached per object


# Who needs it ----------------------------------------------------------------------------------------


def test_every_active_staff_member_needs_two_factor_by_default(
    content_editor, staff_without_edit, front_desk, admin_user, django_user_model
):
    for user in (content_editor, staff_without_edit, front_desk, admin_user):
        assert two_factor_required(user), user
    assert not two_factor_required(django_user_model.objects.create_user("patient", password=PASSWORD))
    content_editor.is_active = False
    assert not two_factor_required(content_editor)


SENSITIVE = [
    "inquiries.view_inquiry",
    "inquiries.change_inquiry",
    "inquiries.export_inquiry",
    "inquiries.view_accesslogentry",
    "inquiries.delete_accesslogentry",
    "auth.view_user",
    "auth.add_user",
    "auth.change_group",
    "auth.view_permission",
    "otp_totp.change_totpdevice",
    "axes.delete_accessattempt",
]


@pytest.mark.parametrize("permission", SENSITIVE)
def test_a_relaxed_demo_still_requires_it_of_anyone_near_health_data_or_accounts(
    permission, settings, staff_without_edit, content_editor, admin_user
):
    settings.TWO_FACTOR_FOR_ALL_STAFF = False
    assert not two_factor_required(content_editor)
    assert not two_factor_required(staff_without_edit)
    assert two_factor_required(admin_user)
    assert two_factor_required(with_permissions(staff_without_edit, permission))


def test_a_relaxed_demo_still_keeps_the_queue_from_a_password_only_sign_in(
    client, settings, staff_without_edit, content_editor
):
    settings.TWO_FACTOR_FOR_ALL_STAFF = False
    with_permissions(staff_without_edit, "inquiries.change_inquiry")  # may change, so may read, the queue
    assert sign_in_with_password(client, "viewer").status_code == 302
    response = client.get("/admin/inquiries/inquiry/")
    assert response.status_code == 302 and response["Location"] == SETUP
    client.logout()
    assert sign_in_with_password(client, "writer").status_code == 302
    assert client.get("/admin/content/page/").status_code == 200  # the demo's point: editors skip it


# The admin ---------------------------------------------------------------------------------------------


def test_an_unverified_staff_member_is_sent_to_set_up_without_a_loop(client, content_editor):
    client.force_login(content_editor, verified=False)
    response = client.get("/admin/content/page/", follow=True)
    assert response.redirect_chain == [(SETUP, 302)]
    body = response.content.decode()
    assert "Your account needs two-factor sign-in" in body and "authenticator app" in body
    assert not list(response.context["messages"])  # the page explains; no message is left waiting


def test_one_who_set_it_up_but_skipped_the_code_signs_in_again(client, content_editor):
    client.force_login(content_editor)  # makes a device
    client.logout()
    client.force_login(content_editor, verified=False)
    response = client.get("/admin/content/page/", follow=True)
    assert response.redirect_chain == [(f"{LOGIN}?next=/admin/content/page/", 302)]
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_an_unverified_staff_member_can_sign_out(client, content_editor):
    client.force_login(content_editor, verified=False)
    assert "Sign out" in client.get(SETUP).content.decode()
    response = client.post("/admin/logout/")
    assert response.status_code in (200, 302) and "_auth_user_id" not in client.session


def test_the_admin_never_shows_anyone_elses_authenticator_secret(client, admin_user, content_editor):
    device = TOTPDevice.objects.create(user=content_editor, name="default")
    client.force_login(admin_user)
    body = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in body
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403


# Drafts and the editor --------------------------------------------------------------------------------


def test_unverified_staff_see_the_public_site_not_drafts(client, authored, draft_page, editor):
    live = Page.objects.published().exclude(next_page=None).first()
    Page.objects.filter(pk=live.pk).update(title="A draft title nobody may see yet")  # not published
    Page.objects.filter(pk=live.next_page_id).update(published=False)
    client.force_login(editor, verified=False)
    assert client.get(draft_page.get_absolute_url()).status_code == 404
    response = client.get(live.get_absolute_url())
    assert "A draft title nobody may see yet" not in response.content.decode()
    assert "next_page" not in response.context  # the unpublished next page is not offered
    client.force_login(editor)
    assert client.get(draft_page.get_absolute_url()).status_code == 200
    response = client.get(live.get_absolute_url())
    assert "A draft title nobody may see yet" in response.content.decode()
    assert response.context["next_page"] == live.next_page


@pytest.mark.parametrize("url", ["/markdownx/markdownify/", "/markdownx/check/", "/markdownx/upload/"])
def test_unverified_editors_cannot_use_the_preview_check_or_upload(client, editor, url):
    client.force_login(editor, verified=False)
    assert client.post(url, {"content": "## Hi"}).status_code == 403
    client.force_login(editor)
    assert client.post(url, {"content": "## Hi"}).status_code in (200, 400)  # in: upload wants a file


# Setting it up -----------------------------------------------------------------------------------------


def test_setting_it_up_ends_in_the_admin_with_ten_backup_codes_shown_once(client, front_desk):
    client.force_login(front_desk, verified=False)
    response = set_up_authenticator(client)
    assert response.status_code == 302 and response["Location"] == COMPLETE
    page = client.get(COMPLETE)
    body = page.content.decode()
    stored = set(StaticDevice.objects.get(user=front_desk).token_set.values_list("token", flat=True))
    assert len(stored) == 10 and all(code in body for code in stored)
    assert "Print these codes" in body and 'href="/admin/">Go to the admin' in body
    assert "js/print-button.js" in body and "<script>" not in body  # no inline script (CSP)
    assert 'id="site-name"' in body  # the admin's own page
    again = client.get(COMPLETE).content.decode()
    assert not any(code in again for code in stored)
    admin = client.get("/admin/")
    assert admin.status_code == 200 and not list(admin.context["messages"])


def test_setup_cannot_add_a_device_to_a_session_that_skipped_the_code(client, content_editor):
    client.force_login(content_editor)  # makes a device
    client.logout()
    client.force_login(content_editor, verified=False)
    response = client.post(SETUP, {"setup_view-current_step": "welcome"})
    assert response["Location"].startswith(LOGIN) and "_auth_user_id" not in client.session
    assert TOTPDevice.objects.filter(user=content_editor).count() == 1


def test_setup_is_not_offered_twice(client, content_editor):
    client.force_login(content_editor)
    assert client.post(SETUP, {"setup_view-current_step": "welcome"})["Location"] == "/account/two_factor/"


# Sudo mode: the password again --------------------------------------------------------------------------


def test_turning_two_factor_off_asks_for_the_password_again(client, content_editor):
    with time_machine.travel(time.time(), tick=False) as traveller:
        client.force_login(content_editor)
        assert client.get(DISABLE).status_code == 200  # signing in a minute ago counts
        traveller.shift(timedelta(minutes=6))
        response = client.post(DISABLE, {"understand": "on"})
        assert response["Location"] == f"{CONFIRM}?next=%2Faccount%2Ftwo_factor%2Fdisable%2F"
        assert TOTPDevice.objects.filter(user=content_editor).exists()
        wrong = client.post(response["Location"], {"password": "not my password"})
        assert wrong.status_code == 200 and "not the password" in wrong.content.decode()
        right = client.post(response["Location"], {"password": PASSWORD})
        assert right["Location"] == DISABLE
        client.post(DISABLE, {"understand": "on"})
        assert not TOTPDevice.objects.filter(user=content_editor).exists()


def test_new_backup_codes_ask_for_the_password_again(client, content_editor):
    with time_machine.travel(time.time(), tick=False) as traveller:
        client.force_login(content_editor)
        client.post(BACKUP)
        codes = set(StaticDevice.objects.get(user=content_editor).token_set.values_list("token", flat=True))
        traveller.shift(timedelta(minutes=6))
        assert client.get(BACKUP)["Location"].startswith(CONFIRM)  # showing them too
        assert client.post(BACKUP)["Location"].startswith(CONFIRM)
        kept = set(StaticDevice.objects.get(user=content_editor).token_set.values_list("token", flat=True))
        assert kept == codes


def test_adding_an_authenticator_asks_for_the_password_again(client, content_editor):
    with time_machine.travel(time.time(), tick=False) as traveller:
        client.force_login(content_editor, verified=False)
        assert client.get(SETUP).status_code == 200
        traveller.shift(timedelta(minutes=6))
        assert client.get(SETUP)["Location"] == f"{CONFIRM}?next=%2Faccount%2Ftwo_factor%2Fsetup%2F"


def test_the_password_confirmation_goes_only_to_this_site(client, content_editor):
    client.force_login(content_editor)
    response = client.post(f"{CONFIRM}?next=https://evil.example/", {"password": PASSWORD})
    assert response["Location"] == "/admin/"


def test_guessing_at_the_password_confirmation_is_locked_out(client, content_editor):
    client.force_login(content_editor)
    statuses = [client.post(CONFIRM, {"password": f"guess {n}"}).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_why_a_session_ended_is_said_on_the_sign_in_page_and_only_there(client, content_editor, settings):
    settings.STAFF_SESSION_MAX_AGE = 60  # as 12 hours do, without 29 requests to stay active
    with time_machine.travel(time.time(), tick=False) as traveller:
        client.force_login(content_editor)
        traveller.shift(timedelta(minutes=2))
        page = client.get("/admin/", follow=True)
        assert "signed out after 12 hours" in page.content.decode()
        assert "signed out after 12 hours" not in client.get(LOGIN).content.decode()


# Found by an attack on the running site ------------------------------------------------------------------


def test_an_authenticator_with_any_name_is_asked_for_at_sign_in(client, admin_user):
    """django-two-factor-auth only asks for a code from a device named "default"; one made any other way
    (the admin, the shell) must still be asked for, and the setup must not add a second one."""
    admin_user.set_password(PASSWORD)
    admin_user.save()
    TOTPDevice.objects.create(user=admin_user, name="My phone", confirmed=True)
    response = sign_in_with_password(client, admin_user.username)
    assert response.status_code == 200 and 'name="token-otp_token"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    client.force_login(admin_user, verified=False)
    assert client.get(SETUP)["Location"].startswith(LOGIN)  # to the code, not to a second authenticator
    assert TOTPDevice.objects.filter(user=admin_user).count() == 1


def test_the_code_of_an_authenticator_with_any_name_signs_in(client, admin_user):
    admin_user.set_password(PASSWORD)
    admin_user.save()
    device = TOTPDevice.objects.create(user=admin_user, name="My phone", confirmed=True)
    sign_in_with_password(client, admin_user.username)
    response = client.post(
        LOGIN, {"login_view-current_step": "token", "token-otp_token": f"{totp(device.bin_key):06d}"}
    )
    assert response.status_code == 302 and client.get("/admin/").status_code == 200


def test_authenticators_are_never_typed_into_the_admin(client, admin_user, content_editor):
    client.force_login(admin_user)
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    response = client.post(
        "/admin/otp_totp/totpdevice/add/",
        {"user": content_editor.pk, "name": "mine", "key": "00" * 20, "step": 30, "digits": 6},
    )
    assert response.status_code == 403 and not TOTPDevice.objects.filter(name="mine").exists()


@pytest.mark.parametrize(
    "screen",
    [
        "/admin/auth/user/add/",
        "/admin/auth/user/{user}/change/",
        "/admin/auth/user/{user}/password/",
        "/admin/auth/user/{user}/delete/",
        "/admin/auth/group/add/",
        "/admin/otp_totp/totpdevice/{device}/delete/",
    ],
)
def test_admin_screens_that_could_take_over_an_account_ask_for_the_password_again(
    client, admin_user, content_editor, screen
):
    device = TOTPDevice.objects.create(user=content_editor, name="default", confirmed=True)
    url = screen.format(user=content_editor.pk, device=device.pk)
    with time_machine.travel(time.time(), tick=False) as traveller:
        client.force_login(admin_user)
        assert client.get(url).status_code == 200  # signing in a minute ago counts
        traveller.shift(timedelta(minutes=6))
        assert client.get(url)["Location"].startswith(CONFIRM)
        assert client.post(url, {"post": "yes", "password1": "x", "password2": "x"})["Location"].startswith(
            CONFIRM
        )
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


@pytest.mark.parametrize(
    "changelist",
    [
        "/admin/auth/user/",
        "/admin/auth/group/",
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_static/staticdevice/",
    ],
)
def test_the_bulk_delete_action_is_not_offered_where_deleting_needs_the_password(
    client, admin_user, content_editor, changelist
):
    device = TOTPDevice.objects.create(user=content_editor, name="default", confirmed=True)
    client.force_login(admin_user)
    assert 'value="delete_selected"' not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "delete_selected", "_selected_action": [device.pk], "post": "yes"})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert type(content_editor).objects.filter(pk=content_editor.pk).exists()


def test_backup_codes_alone_are_asked_for_at_sign_in(client, admin_user):
    """An administrator deleted a lost phone: the backup codes left must still be asked for, or the
    password alone would let anyone set up their own authenticator on the account."""
    admin_user.set_password(PASSWORD)
    admin_user.save()
    backup = StaticDevice.objects.create(user=admin_user, name="backup", confirmed=True)
    backup.token_set.create(token="abcd1234")
    response = sign_in_with_password(client, admin_user.username)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    client.force_login(admin_user, verified=False)
    assert client.get(SETUP)["Location"].startswith(LOGIN)
    assert TOTPDevice.objects.filter(user=admin_user).count() == 0


@pytest.mark.parametrize(
    "data",
    [{"login_view-current_step": "token", "challenge_device": "x"}, {"challenge_device": "x"}],
)
def test_a_code_posted_before_any_password_is_a_sign_in_form_not_a_server_error(client, db, data):
    response = client.post(LOGIN, data)
    assert response.status_code in (200, 400) and "_auth_user_id" not in client.session

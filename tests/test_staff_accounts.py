"""Staff accounts: lockout, sessions that end, two-factor sign-in for every staff member."""

import time
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice

LOGIN = "/account/login/"
PASSWORD = "a long test password"


def attempt(client, username, password):
    return client.post(
        LOGIN, {"login_view-current_step": "auth", "auth-username": username, "auth-password": password}
    )


# Brute force ----------------------------------------------------------------------------------------


def test_the_right_password_is_refused_after_five_wrong_ones(client, content_editor):
    for _ in range(4):
        response = attempt(client, "writer", "wrong password")
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert attempt(client, "writer", "wrong password").status_code == 429  # the fifth
    locked = attempt(client, "writer", PASSWORD)
    assert locked.status_code == 429
    assert "Sign-in is paused" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_does_not_say_whether_the_user_exists(client, content_editor):
    for _ in range(5):
        attempt(client, "writer", "wrong password")
        attempt(client, "nobody-by-this-name", "wrong password")
    real = attempt(client, "writer", PASSWORD)
    ghost = attempt(client, "nobody-by-this-name", PASSWORD)
    assert real.status_code == ghost.status_code == 429
    assert real.content == ghost.content


def test_a_wrong_password_message_does_not_say_whether_the_user_exists(client, content_editor):
    real = attempt(client, "writer", "wrong password").content.decode()
    ghost = attempt(client, "nobody-by-this-name", "wrong password").content.decode()
    assert "Please enter a correct username and password" in real
    assert "Please enter a correct username and password" in ghost


def test_the_lockout_is_per_user_name(client, content_editor, front_desk):
    for _ in range(5):
        attempt(client, "writer", "wrong password")
    assert attempt(client, "desk", PASSWORD).status_code == 302  # another staff member is not locked out


def test_the_right_password_works_before_the_limit(client, content_editor):
    for _ in range(4):
        attempt(client, "writer", "wrong password")
    response = attempt(client, "writer", PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(content_editor.pk)


def test_the_admin_login_goes_through_the_two_factor_login(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/account/login/?next=/admin/"
    page = client.get(LOGIN)
    assert page.status_code == 200 and "cdnjs" not in page.content.decode()


# Sessions ---------------------------------------------------------------------------------------------


def test_a_session_ends_after_30_minutes_idle(client, content_editor):
    with time_machine.travel(time.time(), tick=False) as traveller:
        client.force_login(content_editor)
        assert client.get("/admin/").status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200  # still active: each request renews it
        traveller.shift(timedelta(minutes=31))
        response = client.get("/admin/")
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_session_ends_12_hours_after_signing_in_however_active(client, content_editor):
    with time_machine.travel(time.time(), tick=False) as traveller:
        client.force_login(content_editor)
        for _ in range(28):  # a request every 25 minutes for 11 hours 40 minutes
            traveller.shift(timedelta(minutes=25))
            assert client.get("/admin/").status_code == 200
        traveller.shift(timedelta(minutes=25))  # 12 hours 5 minutes after signing in
        response = client.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")
        assert "_auth_user_id" not in client.session


# Two-factor sign-in -------------------------------------------------------------------------------------


def test_a_user_without_two_factor_cannot_open_the_inquiry_admin(client, front_desk):
    client.force_login(front_desk, verified=False)
    for url in ["/admin/", "/admin/inquiries/inquiry/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/account/two_factor/setup/"


def test_an_administrator_must_use_two_factor(client, admin_user):
    client.force_login(admin_user, verified=False)
    assert client.get("/admin/auth/user/")["Location"] == "/account/two_factor/setup/"


def test_a_user_with_a_device_who_skipped_the_code_is_sent_to_sign_in(client, front_desk):
    client.force_login(front_desk)  # makes a device
    client.logout()
    client.force_login(front_desk, verified=False)
    response = client.get("/admin/inquiries/inquiry/")
    assert response["Location"].startswith("/account/login/?next=")
    assert "_auth_user_id" not in client.session


def test_content_editors_need_it_too_unless_a_demo_relaxes_it(client, content_editor, settings):
    client.force_login(content_editor, verified=False)
    assert client.get("/admin/content/page/")["Location"] == "/account/two_factor/setup/"
    settings.TWO_FACTOR_FOR_ALL_STAFF = False
    assert client.get("/admin/content/page/").status_code == 200


def test_setting_up_two_factor_opens_the_admin_and_offers_backup_codes(client, front_desk):
    client.force_login(front_desk, verified=False)
    setup = "/account/two_factor/setup/"
    client.get(setup)
    client.post(setup, {"setup_view-current_step": "welcome"})
    response = client.post(setup, {"setup_view-current_step": "method", "method-method": "generator"})
    if "generator-token" not in response.content.decode():
        pytest.fail("the authenticator-app step did not open")
    key = b32decode(client.session["django_two_factor-qr_secret_key"])
    response = client.post(
        setup, {"setup_view-current_step": "generator", "generator-token": f"{totp(key):06d}"}
    )
    assert response.status_code == 302 and response["Location"] == "/account/two_factor/setup/complete/"
    codes = client.get(response["Location"]).context["codes"]
    assert sorted(codes) == sorted(
        StaticDevice.objects.get(user=front_desk).token_set.values_list("token", flat=True)
    )
    assert client.get("/admin/inquiries/inquiry/").status_code == 200
    client.post("/account/two_factor/backup/tokens/")
    assert StaticDevice.objects.get(user=front_desk).token_set.count() == 10


def test_the_first_administrator_is_walked_through_two_factor(client, db, django_user_model, capsys):
    call_command("create_first_admin")
    assert "two-factor sign-in" in capsys.readouterr().out
    client.force_login(django_user_model.objects.get(username="admin"), verified=False)
    assert client.get("/admin/")["Location"] == "/account/two_factor/setup/"


# Passwords -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["short pass", "password12345", "123456789012345"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted():
    validate_password("calm river under seven maples")

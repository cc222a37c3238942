"""What the browser tests share besides fixtures: accounts, sign-in, TOTP codes and the axe check."""

import os
import secrets
import shutil
import time
from binascii import unhexlify
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]
PASSWORD = "a long browser test password"
TOTP_KEYS = {name: secrets.token_hex(20) for name in ("reviewer", "desk", "admin")}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

USERS = f"""
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice
from content.models import ClinicalReviewer

reviewer = User.objects.create_user("reviewer", password={PASSWORD!r}, is_staff=True,
                                    first_name="Ana", last_name="Reyes")
reviewer.groups.add(Group.objects.get(name="Clinical reviewers"))
ClinicalReviewer.objects.create(user=reviewer, credentials="MD, psychiatrist")
desk = User.objects.create_user("desk", password={PASSWORD!r}, is_staff=True)
desk.groups.add(Group.objects.get(name="Front desk"))
admin = User.objects.create_superuser("admin", password={PASSWORD!r})
for user in (reviewer, desk, admin):  # two-factor sign-in is required of all staff
    TOTPDevice.objects.create(user=user, name="default", key={TOTP_KEYS!r}[user.username], confirmed=True)
"""


def in_ci():
    """CI (CI=true, as .ci/run runs) has everything installed: a missing tool is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def chromium_path():
    for candidate in (os.environ.get("CHROMIUM_PATH"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


def totp(username):
    from django_otp.oath import TOTP

    code = TOTP(unhexlify(TOTP_KEYS[username]))
    code.time = time.time()
    return f"{code.token():06d}"


def sign_in(page, username, *, with_code=False):
    page.goto("/account/login/")
    page.fill("#id_auth-username", username)
    page.fill("#id_auth-password", PASSWORD)
    page.get_by_role("button", name="Next").click()
    if with_code:
        page.fill("#id_token-otp_token", totp(username))
        page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/admin/**")


def axe_violations(page):
    """WCAG 2.2 A and AA violations that axe-core (bundled with axe-playwright-python) finds on the page."""
    from axe_playwright_python.sync_playwright import Axe

    # resultTypes: axe still runs every rule, but details only the violations, not thousands of passes.
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    return [
        f"{violation['id']}: {violation['help']} at {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
    ]

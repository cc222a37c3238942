"""The form under pressure: random input never breaks it, and the rate limit holds across processes."""

import os
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from inquiries import views
from inquiries.forms import InsuranceForm
from inquiries.models import Inquiry

FIELDS = list(InsuranceForm.base_fields)
text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["question", "insurance", "", "other"]),
    data=st.dictionaries(
        st.sampled_from(FIELDS), st.one_of(text, st.lists(text, max_size=3)), max_size=len(FIELDS)
    ),
)
def test_no_input_makes_the_form_fail(client, kind, data):
    response = client.post(f"/contact/?kind={kind}", data)
    assert response.status_code in (200, 302, 429), response.status_code


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(phone=text, dob=text, email=text)
def test_valid_looking_submissions_with_odd_values_never_fail(client, phone, dob, email):
    with time_machine.travel(time.time() - 60, tick=False):
        token = views._new_token()
    data = {
        "name": "Pat",
        "phone": phone,
        "email": email,
        "preferred_contact": "phone",
        "preferred_time": "any",
        "service": "not-sure",
        "consent": "on",
        "token": token,
        "insurance_carrier": "Carrier",
        "member_id": "M1",
        "patient_dob": dob,
        "patient_is_policy_holder": "yes",
    }
    response = client.post("/contact/?kind=insurance", data)
    assert response.status_code in (200, 302, 429)
    if response.status_code == 302:
        assert Inquiry.objects.exists()


POSTER = r"""
import sys, time
import django
django.setup()
import time_machine
from django.test import Client
from inquiries import views
from inquiries.forms import InsuranceForm

who, count = sys.argv[1], int(sys.argv[2])
client = Client(REMOTE_ADDR="192.0.2.10")
codes = []
for n in range(count):
    with time_machine.travel(time.time() - 60, tick=False):
        token = views._new_token()
    data = {
        "name": f"{who} {n}", "phone": "212-555-0123", "email": f"{who}{n}@example.com",
        "preferred_contact": "phone", "preferred_time": "any", "service": "not-sure",
        "message": "", "consent": "on", "website": "", "token": token,
    }
    codes.append(client.post("/contact/", data).status_code)
print("CODES", *codes)
"""


def test_the_rate_limit_is_shared_between_processes(tmp_path):
    """Two separate processes (as two gunicorn workers are) share one limit of 5 per client."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "INQUIRY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="clinic_site.settings",
        DJANGO_DATA_DIR=str(tmp_path),
        DJANGO_SECRET_KEY="shared-secret-" + "s" * 50,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_LOCAL_HTTP="1",
        INQUIRY_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    run = {"cwd": settings.BASE_DIR, "env": env, "capture_output": True, "text": True, "timeout": 120}
    prepare = (  # in one process: each start of Python and Django costs a second
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); call_command('collectstatic', interactive=False, verbosity=0)"
    )
    prepared = subprocess.run([sys.executable, "-c", prepare], **run)
    assert prepared.returncode == 0, prepared.stderr

    def post(who):
        result = subprocess.run([sys.executable, "-c", POSTER, who, "4"], **run)
        assert result.returncode == 0, result.stderr
        return next(line for line in result.stdout.splitlines() if line.startswith("CODES")).split()[1:]

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = [code for result in pool.map(post, ["first", "second"]) for code in result]
    assert sorted(codes) == ["302"] * 5 + ["429"] * 3

    with closing(sqlite3.connect(tmp_path / "db.sqlite3")) as database:  # the file both processes wrote
        assert database.execute("SELECT COUNT(*) FROM inquiries_inquiry").fetchone() == (5,)

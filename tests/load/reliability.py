"""`make reliability`: does the site keep every inquiry when things go wrong? Figures into docs/reliability.md.

Against the site served as `make run` serves it (gunicorn, 4 workers, SQLite in WAL mode), with the
notification sweeper running beside it as `make run` runs it and a real SMTP server on loopback:

1. Steady load: 50 clients mixing page views and form posts. No 5xx; rows equal accepted posts; every
   inquiry gets exactly one email.
2. The mail server goes down under load, then comes back: every inquiry is kept, and exactly one email
   per inquiry goes out once it is back.
3. A worker is killed with SIGKILL, twice, under load: no half-saved inquiry; every inquiry's
   notification is sent or still pending.
4. An online backup of the database is taken under load and restored: the integrity check passes and the
   restored counts match the backup.
"""

import html
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

from aiosmtpd.controller import Controller
from sitectl import BASE, Site, free_port

PAGES = [
    "/",
    "/learn/",
    "/learn/what-to-expect/",
    "/learn/side-effects-and-risks/",
    "/conditions/",
    "/conditions/ptsd/",
    "/contact/",
]
POST_SHARE = 0.3


class Mailbox:
    """A real SMTP server on loopback that keeps the subjects it receives; it can be stopped and started."""

    def __init__(self):
        self.port = free_port()
        self.subjects = []
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        subject = re.search(rb"^Subject: (.*)$", envelope.content, re.M | re.I)
        with self.lock:
            self.subjects.append(subject.group(1).decode() if subject else "")
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def numbers(self):
        with self.lock:
            return Counter(int(m.group(1)) for s in self.subjects if (m := re.search(r"#(\d+)", s)))


class Load:
    """Clients that browse and send the form until a deadline; they count what they get back."""

    def __init__(self, site, label):
        self.site, self.label = site, label
        self.statuses = Counter()
        self.accepted = []
        self.connection_errors = 0
        self.lock = threading.Lock()

    def client(self, number, deadline):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        sent = 0
        rng = random.Random(number)  # noqa: S311 -- load mix, not security
        while time.monotonic() < deadline:
            try:
                if rng.random() < POST_SHARE:
                    sent += 1
                    self._post(opener, f"{self.label}-{number}-{sent}")
                else:
                    self._get(opener, rng.choice(PAGES))
            except (urllib.error.URLError, ConnectionError, OSError):
                with self.lock:
                    self.connection_errors += 1

    def _record(self, status):
        with self.lock:
            self.statuses[status // 100 * 100] += 1

    def _get(self, opener, path):
        try:
            with opener.open(self.site.url + path, timeout=30) as response:
                response.read()
                self._record(response.status)
        except urllib.error.HTTPError as error:
            self._record(error.code)

    def _post(self, opener, name):
        with opener.open(self.site.url + "/contact/", timeout=30) as response:
            form = response.read().decode()
        fields = dict(re.findall(r'name="(csrfmiddlewaretoken|token)" value="([^"]+)"', form))
        data = {
            **{key: html.unescape(value) for key, value in fields.items()},
            "name": name,
            "phone": "212-555-0123",
            "email": f"{name}@example.com",
            "preferred_contact": "email",
            "preferred_time": "any",
            "service": "not-sure",
            "message": "A question sent under load.",
            "consent": "on",
        }
        request = urllib.request.Request(  # noqa: S310 -- our own local server
            self.site.url + "/contact/",
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": self.site.url + "/contact/"},
        )
        try:
            with opener.open(request, timeout=30) as response:
                response.read()
                self._record(response.status)
                if response.url.endswith("/contact/thanks/"):
                    with self.lock:
                        self.accepted.append(name)
        except urllib.error.HTTPError as error:
            self._record(error.code)

    def run(self, clients, seconds, during=None):
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=self.client, args=(n, deadline)) for n in range(clients)]
        for thread in threads:
            thread.start()
        if during:
            during()
        for thread in threads:
            thread.join()
        return self


def rows(site, label):
    out = site.python(
        "from inquiries.models import Inquiry\n"
        f"for i in Inquiry.objects.filter(name__startswith={label + '-'!r}):\n"
        "    complete = bool(i.name and i.consent_at and i.fingerprint and i.submission_token and i.message)\n"
        "    print(i.pk, i.name, int(complete), int(i.notified_at is not None), int(i.notify_claimed_at is not None))"
    )
    return [line.split() for line in out.splitlines()]


def wait_for_notifications(site, label, mailbox, expected, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        numbers = {int(row[0]) for row in rows(site, label)}
        if numbers and sum(mailbox.numbers()[n] for n in numbers) >= expected:
            break
        time.sleep(1)
    numbers = {int(row[0]) for row in rows(site, label)}
    counts = mailbox.numbers()
    return {n: counts[n] for n in numbers}


def main():
    data = Path(tempfile.mkdtemp(prefix="clinic-reliability-"))
    mailbox = Mailbox()
    mailbox.start()
    site = Site.prepare(
        data,
        WEB_CONCURRENCY=4,
        INQUIRY_RATE_LIMIT=1_000_000,
        INQUIRY_MIN_SECONDS=0,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=mailbox.port,
        EMAIL_USE_TLS=0,
        FRONT_DESK_EMAIL="desk@clinic.example",
    )
    log = (data / "server.log").open("w")
    site.start(log=log)
    sweeper = subprocess.Popen(
        [sys.executable, "manage.py", "send_pending_notifications", "--every", "2"],
        cwd=BASE,
        env=site.env,
        stdout=log,
        stderr=log,
    )
    results = {}
    try:
        # 1. Steady load.
        load = Load(site, "steady").run(clients=50, seconds=30)
        found = rows(site, "steady")
        emails = wait_for_notifications(site, "steady", mailbox, len(found))
        results["steady"] = (load, found, emails)
        print("steady:", dict(load.statuses), len(load.accepted), "accepted,", len(found), "rows")

        # 2. The mail server is down, then back.
        mailbox.stop()
        load = Load(site, "mail-down").run(clients=20, seconds=15)
        found_down = rows(site, "mail-down")
        pending_while_down = sum(1 for row in found_down if row[3] == "0")
        mailbox.start()
        emails = wait_for_notifications(site, "mail-down", mailbox, len(found_down), seconds=90)
        results["mail"] = (load, found_down, pending_while_down, emails)
        print("mail down:", len(found_down), "rows,", pending_while_down, "pending while down")

        # 3. Workers killed with SIGKILL under load.
        killed = []

        def kill_workers():
            for _ in range(2):
                time.sleep(5)
                victim = random.choice(site.workers())  # noqa: S311
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        load = Load(site, "sigkill").run(clients=30, seconds=20, during=kill_workers)
        time.sleep(3)
        found_kill = rows(site, "sigkill")
        emails = wait_for_notifications(site, "sigkill", mailbox, len(found_kill))
        results["kill"] = (load, found_kill, emails, killed, rows(site, "sigkill"))
        print("sigkill:", len(killed), "workers killed,", len(found_kill), "rows")

        # 4. Online backup under load, then restored.
        backup = data / "backup.sqlite3"
        taken = {}

        def take_backup():
            time.sleep(5)
            started = time.monotonic()
            with sqlite3.connect(data / "db.sqlite3") as source, sqlite3.connect(backup) as target:
                source.backup(target)
            taken["seconds"] = time.monotonic() - started

        load = Load(site, "backup").run(clients=20, seconds=15, during=take_backup)
        with sqlite3.connect(backup) as check:
            integrity = check.execute("PRAGMA integrity_check").fetchone()[0]
            raw = {
                table: check.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in ("inquiries_inquiry", "content_page", "conditions_condition")
            }
        restored_dir = data / "restored"
        restored_dir.mkdir()
        shutil.copy(backup, restored_dir / "db.sqlite3")
        restored = Site(restored_dir, {**site.env, "DJANGO_DATA_DIR": str(restored_dir)})
        counted = restored.python(
            "from inquiries.models import Inquiry\nfrom content.models import Page\n"
            "from conditions.models import Condition\n"
            "readable = sum(1 for i in Inquiry.objects.all() if i.message)\n"
            "print(Inquiry.objects.count(), Page.objects.count(), Condition.objects.count(), readable)"
        ).split()
        results["backup"] = (load, integrity, raw, [int(n) for n in counted], taken)
        print("backup:", integrity, raw, counted)
    finally:
        sweeper.terminate()
        site.stop()
        mailbox.stop()
        log.close()
    write_report(results)
    shutil.rmtree(data, ignore_errors=True)


def write_report(results):
    steady_load, steady_rows, steady_emails = results["steady"]
    mail_load, mail_rows, pending_while_down, mail_emails = results["mail"]
    kill_load, kill_rows, kill_emails, killed, kill_rows_after = results["kill"]
    backup_load, integrity, raw, counted, taken = results["backup"]

    def statuses(load):
        return ", ".join(f"{code}: {count}" for code, count in sorted(load.statuses.items()))

    def emails_line(emails):
        exactly_one = sum(1 for count in emails.values() if count == 1)
        more = sum(1 for count in emails.values() if count > 1)
        none = sum(1 for count in emails.values() if count == 0)
        return exactly_one, more, none

    lines = [
        "# Reliability",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `make reliability` (`tests/load/reliability.py`) on "
        f"{os.cpu_count()} cores. The site runs as `make run` runs it: gunicorn with 4 sync workers, DEBUG off, "
        "SQLite in WAL mode with IMMEDIATE transactions, and `send_pending_notifications` sweeping beside it "
        "(every 2 s here; every 60 s under `make run`). Email goes to a real SMTP server (aiosmtpd) on loopback. "
        "The form's rate limit and minimum fill-in time are lifted for the load clients, all of which come from "
        "127.0.0.1.",
        "",
        "| scenario | clients × seconds | responses by class | connection errors | accepted posts | rows | check |",
        "| --- | --- | --- | ---: | ---: | ---: | --- |",
    ]
    one, more, none = emails_line(steady_emails)
    steady_ok = (
        steady_load.statuses[500] == 0
        and len(steady_rows) == len(steady_load.accepted)
        and one == len(steady_rows)
    )
    lines.append(
        f"| steady load | 50 × 30 | {statuses(steady_load)} | {steady_load.connection_errors} | "
        f"{len(steady_load.accepted)} | {len(steady_rows)} | {'pass' if steady_ok else 'FAIL'}: zero 5xx, rows = "
        f"accepted, {one} inquiries with exactly one email, {more} with more, {none} with none |"
    )
    one, more, none = emails_line(mail_emails)
    mail_ok = len(mail_rows) == len(mail_load.accepted) and one == len(mail_rows)
    lines.append(
        f"| mail server down, then back | 20 × 15 | {statuses(mail_load)} | {mail_load.connection_errors} | "
        f"{len(mail_load.accepted)} | {len(mail_rows)} | {'pass' if mail_ok else 'FAIL'}: every inquiry kept "
        f"({pending_while_down} waiting while mail was down); once back, {one} with exactly one email, {more} with "
        f"more, {none} with none |"
    )
    complete = sum(1 for row in kill_rows_after if row[2] == "1")
    sent = sum(1 for row in kill_rows_after if row[3] == "1")
    pending = len(kill_rows_after) - sent
    one, more, none = emails_line(kill_emails)
    kill_ok = complete == len(kill_rows) and len(kill_rows) >= len(kill_load.accepted) and more == 0
    lines.append(
        f"| 2 workers killed (SIGKILL) | 30 × 20 | {statuses(kill_load)} | {kill_load.connection_errors} | "
        f"{len(kill_load.accepted)} | {len(kill_rows)} | {'pass' if kill_ok else 'FAIL'}: {complete} of "
        f"{len(kill_rows)} rows complete (no half-saved inquiry); {sent} notified, {pending} pending for the "
        f"sweeper; none emailed twice |"
    )
    backup_ok = (
        integrity == "ok"
        and counted[:3] == [raw["inquiries_inquiry"], raw["content_page"], raw["conditions_condition"]]
        and counted[3] == counted[0]
    )
    lines.append(
        f"| online backup under load, restored | 20 × 15 | {statuses(backup_load)} | {backup_load.connection_errors} "
        f"| {len(backup_load.accepted)} | — | {'pass' if backup_ok else 'FAIL'}: backup took "
        f"{taken.get('seconds', 0):.2f} s; integrity_check {integrity}; restored counts (inquiries, pages, "
        f"conditions) {counted[:3]} = backup file {list(raw.values())}; {counted[3]} of {counted[0]} inquiries "
        "decrypt |"
    )
    lines += [
        "",
        "Notes:",
        "",
        "- Rows are counted by the names each scenario's clients used, so scenarios do not mix.",
        "- When a worker is killed, requests it was serving fail at the connection (counted as connection "
        "errors, not 5xx). An inquiry can be saved and its answer lost with the worker: so after a kill, rows "
        "may exceed accepted posts, never the reverse. A notification a killed worker had claimed but not "
        "sent stays pending and the sweeper sends it once the claim is five minutes old.",
        "- The backup uses SQLite's online backup API (`sqlite3 .backup` does the same) while clients write.",
        "",
        "Reproduce with `make reliability`.",
        "",
    ]
    path = BASE / "docs" / "reliability.md"
    path.write_text("\n".join(lines))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

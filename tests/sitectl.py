"""Start the site as `make run` serves it (gunicorn + WhiteNoise, DEBUG off, SQLite in a data folder),
in a folder of its own, for the browser tests, `make bench` and `make reliability`.

Django code run against the site's database (`Site.python`) goes to one long-lived Python process per
site, started on first use: starting Python and Django takes about a second on a small machine, and the
browser tests ask dozens of times.
"""

import contextlib
import json
import os
import secrets
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

BASE = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"

# The long-lived process behind Site.python: reads one JSON string of code per line, runs it, answers one
# JSON line with what it printed (and the traceback if it failed). Nothing else reaches its stdout.
SHELL = r"""
import contextlib, io, json, sys, traceback
import django
django.setup()
from django.db import connections
answers, sys.stdout = sys.stdout, sys.stderr
for line in sys.stdin:
    printed = io.StringIO()
    answer = {}
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(json.loads(line), "<site.python>", "exec"), {"__name__": "__site__"})
    except BaseException:
        answer["error"] = traceback.format_exc()
    finally:
        connections.close_all()  # nothing held open between calls: gunicorn's workers share the file
    answer["out"] = printed.getvalue()
    answers.write(json.dumps(answer) + "\n")
    answers.flush()
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Site:
    data: Path
    env: dict
    url: str = ""
    process: subprocess.Popen = field(default=None, repr=False)
    shell: subprocess.Popen = field(default=None, repr=False)
    shell_env: dict = field(default=None, repr=False)

    @classmethod
    def prepare(cls, data, **overrides):
        """Migrate, load the content and collect static files into `data`, as `make run` does."""
        port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_URL", "INQUIRY_", "EMAIL_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="clinic_site.settings",
            DJANGO_DATA_DIR=str(data),
            DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_LOCAL_HTTP="1",
            DJANGO_SERVE_MEDIA="1",
            DJANGO_SITE_URL=f"http://127.0.0.1:{port}",
            INQUIRY_ENCRYPTION_KEY=Fernet.generate_key().decode(),
            PORT=str(port),
        )
        env.update({key: str(value) for key, value in overrides.items()})
        site = cls(Path(data), env, f"http://127.0.0.1:{port}")
        site.python(
            "from django.core.management import call_command\n"
            "call_command('migrate', verbosity=0)\n"
            "call_command('load_content', verbosity=0)\n"
            "call_command('collectstatic', interactive=False, verbosity=0)\n"
        )
        return site

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def python(self, code, timeout=300):
        """Run Django code against this site's database; returns what it prints."""
        if self.shell is None or self.shell.poll() is not None or self.shell_env != self.env:
            self._start_shell()
        line = ""
        with contextlib.suppress(BrokenPipeError):  # it died starting: its log says why
            self.shell.stdin.write(json.dumps(code) + "\n")
            self.shell.stdin.flush()
            ready, _, _ = select.select([self.shell.stdout], [], [], timeout)
            line = self.shell.stdout.readline() if ready else ""
        if not line:
            self._stop_shell()
            log = Path(self.data, "python.log")
            raise RuntimeError(
                f"site.python gave no answer within {timeout} s:\n"
                + (log.read_text() if log.exists() else "")
            )
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["out"].strip()

    def _start_shell(self):
        self._stop_shell()
        Path(self.data).mkdir(parents=True, exist_ok=True)
        with Path(self.data, "python.log").open("a") as log:  # Django's log lines, warnings
            self.shell = subprocess.Popen(
                [sys.executable, "-c", SHELL],
                cwd=BASE,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        self.shell_env = dict(self.env)

    def _stop_shell(self):
        if self.shell is None:
            return
        with contextlib.suppress(OSError):
            self.shell.stdin.close()  # it ends at the end of its input
        try:
            self.shell.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.shell.kill()
            self.shell.wait()
        self.shell.stdout.close()
        self.shell = None

    def start(self, log=None):
        self.process = subprocess.Popen(
            [str(GUNICORN), "--config", "clinic_site/gunicorn.conf.py", "clinic_site.wsgi"],
            cwd=BASE,
            env=self.env,
            stdout=log or subprocess.DEVNULL,
            stderr=log or subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2)  # noqa: S310 -- our own local server
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the site did not start")

    def workers(self):
        """Process ids of gunicorn's workers (the master's children)."""
        pid = self.process.pid
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def stop(self):
        self._stop_shell()
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

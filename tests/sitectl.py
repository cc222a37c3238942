"""Start the site as `make run` serves it (gunicorn + WhiteNoise, DEBUG off, SQLite in a data folder),
in a folder of its own, for the browser tests, `make bench` and `make reliability`."""

import os
import secrets
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
        for command in (["migrate"], ["load_content"], ["collectstatic", "--noinput"]):
            site.manage(*command, "--verbosity", "0")
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

    def python(self, code):
        """Run Django code against this site's database; returns what it prints."""
        result = subprocess.run(
            [sys.executable, "-c", "import django\ndjango.setup()\n" + code],
            cwd=BASE,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(result.stderr)
        return result.stdout.strip()

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
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

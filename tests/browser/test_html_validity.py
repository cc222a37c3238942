"""Every public page is valid HTML: the Nu Html Checker (npm vnu-jar, run on Java) finds no error.

The checker refuses 127.0.0.1 URLs, so the pages are fetched from the running site and given as files.
"""

import json
import shutil
import subprocess
import urllib.request
from http.cookiejar import CookieJar

import pytest
from browser_support import BASE, in_ci
from test_accessibility import PUBLIC

VNU = BASE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="module")
def vnu():
    if not VNU.exists() or not shutil.which("java"):
        message = "The HTML check needs Java and `npm ci` (node_modules/vnu-jar); `make test` installs it."
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return VNU


def _fetch_all(site, paths):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    pages = {}
    for path in paths:
        try:
            response = opener.open(site.url + path, timeout=20)
        except urllib.error.HTTPError as error:  # the 404 page is checked too
            response = error
        pages[path] = response.read()
    return pages


def test_every_public_page_passes_the_nu_html_checker(site, vnu, tmp_path):
    pages = _fetch_all(site, PUBLIC)
    files = {}
    for number, (path, html) in enumerate(pages.items()):
        file = tmp_path / f"page{number}.html"
        file.write_bytes(html)
        files[str(file)] = path
    result = subprocess.run(
        # One Java for every page; C1 only (TieredStopAtLevel=1): a run this short is mostly JIT work.
        [
            shutil.which("java"),
            "-XX:TieredStopAtLevel=1",
            "-jar",
            str(vnu),
            "--errors-only",
            "--format",
            "json",
            *files,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = [f"{files.get(m.get('url', '').removeprefix('file:'), '?')}: {m['message']}" for m in messages]
    assert errors == [], "\n".join(errors)
    assert len(files) == len(PUBLIC)

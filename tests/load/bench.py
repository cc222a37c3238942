"""`make bench`: how fast the site is, measured, into docs/performance.md.

1. Throughput and latency (wrk) of the home page, a long content page, a condition page and the form
   page, served exactly as `make run` serves them, each beside a static file of the same size served by
   the same server in the same run; each page's rate as a share of its static twin's.
2. Lighthouse 12 (Chromium headless) on each page kind: the four category scores, bytes transferred and
   requests.
3. Database queries per page and the time to render each page inside the process.

Needs wrk (`apt-get install wrk`), Chromium (`apt-get install chromium`) and npm (Lighthouse is installed
into node_modules by `make bench`).
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from sitectl import BASE, Site

PAGES = {
    "home": "/",
    "long content page": "/learn/what-to-expect/",
    "condition page": "/conditions/treatment-resistant-depression/",
    "form page": "/contact/?kind=insurance",
}
LIGHTHOUSE_PAGES = {**PAGES, "topic list": "/learn/", "thank-you page": "/contact/thanks/"}
WRK_SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WRK_CONNECTIONS = 16
CHROMIUM_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
)


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 -- our own local server
        return response.read()


def wrk(url):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{WRK_CONNECTIONS}", f"-d{WRK_SECONDS}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(label):
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(\w+)", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def lighthouse(url, chromium):
    binary = BASE / "node_modules" / ".bin" / "lighthouse"
    command = [
        str(binary),
        url,
        "--quiet",
        "--output=json",
        "--only-categories=performance,accessibility,best-practices,seo",
        f"--chrome-flags={CHROMIUM_FLAGS}",
    ]
    for attempt in range(3):  # Chromium now and then fails to start under load; try again before giving up
        with tempfile.NamedTemporaryFile(suffix=".json") as report:
            run = subprocess.run(
                [*command, f"--output-path={report.name}"],
                env={**os.environ, "CHROME_PATH": chromium},
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if run.returncode == 0:
                data = json.loads(Path(report.name).read_text())
                break
        print(f"lighthouse attempt {attempt + 1} failed: {run.stderr.strip()[-500:]}")
        time.sleep(2)
    else:
        raise RuntimeError(f"Lighthouse failed on {url}")
    scores = {key: round(category["score"] * 100) for key, category in data["categories"].items()}
    # data: URLs are not requests to any server (Chromium's own date-picker icon is one).
    requests = [
        item
        for item in data["audits"]["network-requests"]["details"]["items"]
        if item["url"].startswith(("http:", "https:"))
    ]
    return {
        **scores,
        "bytes": int(data["audits"]["total-byte-weight"]["numericValue"]),
        "requests": len(requests),
        "scripts": sum(1 for item in requests if item.get("resourceType") == "Script"),
        "urls": [item["url"] for item in requests],
    }


QUERIES = """
import json, time
from django.conf import settings
settings.PAGE_CACHE_SECONDS = 0  # measure the work of rendering, not the page cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
pages = json.loads({pages!r})
client = Client(SERVER_NAME='127.0.0.1')
result = {{}}
for name, path in pages.items():
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    count = len(queries)  # now: the next request starts a fresh query log
    timings = []
    for _ in range(50):
        start = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    result[name] = {{"queries": count, "median_ms": timings[25], "p95_ms": timings[47]}}
print(json.dumps(result))
"""


def main():
    if not shutil.which("wrk"):
        sys.exit("make bench needs wrk: apt-get install wrk")
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not chromium:
        sys.exit("make bench needs Chromium: apt-get install chromium (or set CHROMIUM_PATH)")
    data = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
    site = Site.prepare(data, WEB_CONCURRENCY=3)

    # First learn each page's size, then give each a static twin of exactly that size.
    site.start()
    sizes = {name: len(fetch(site.url + path)) for name, path in PAGES.items()}
    site.stop()
    twins = {}
    for name, size in sizes.items():
        slug = name.replace(" ", "-")
        (data / "static" / "bench").mkdir(parents=True, exist_ok=True)
        (data / "static" / "bench" / f"{slug}.html").write_bytes(b"x" * size)
        twins[name] = f"/static/bench/{slug}.html"
    site.start()
    try:
        throughput = {}
        for name, path in PAGES.items():
            page, static = wrk(site.url + path), wrk(site.url + twins[name])
            throughput[name] = {"page": page, "static": static, "ratio": page["rps"] / static["rps"]}
            print(
                f"{name}: {page['rps']:.0f} req/s vs static {static['rps']:.0f} ({throughput[name]['ratio']:.0%})"
            )
        subprocess.run(
            [
                "npm",
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "lighthouse@12.8.2",
            ],
            cwd=BASE,
            check=True,
            env={**os.environ, "CHROMEDRIVER_SKIP_DOWNLOAD": "true", "PUPPETEER_SKIP_DOWNLOAD": "true"},
        )
        audits = {}
        for name, path in LIGHTHOUSE_PAGES.items():
            audits[name] = lighthouse(site.url + path, chromium)
            print(f"lighthouse {name}: {audits[name]}")
        in_process = json.loads(
            site.python(QUERIES.format(pages=json.dumps(LIGHTHOUSE_PAGES))).splitlines()[-1]
        )
    finally:
        site.stop()
        shutil.rmtree(data, ignore_errors=True)
    write_report(sizes, throughput, audits, in_process)


def write_report(sizes, throughput, audits, in_process):
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    lines = [
        "# Performance",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `make bench` (`tests/load/bench.py`) on "
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}. The server is started exactly as "
        "`make run` starts it: gunicorn with 3 sync workers, WhiteNoise, DEBUG off, SQLite in WAL mode. The load "
        f"generator runs on the same 2-core machine, so absolute rates are modest; the ratios are the point.",
        "",
        "## Throughput and latency",
        "",
        f"`wrk -t2 -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s --latency`, each page and then a static file of the same "
        "size served by the same server (WhiteNoise), in the same run.",
        "",
        "| page | size | req/s | p50 ms | p99 ms | static req/s | static p50 ms | page ÷ static | non-2xx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, result in throughput.items():
        page, static = result["page"], result["static"]
        lines.append(
            f"| {name} | {sizes[name]:,} B | {page['rps']:.0f} | {page['p50']:.1f} | {page['p99']:.1f} | "
            f"{static['rps']:.0f} | {static['p50']:.1f} | {result['ratio']:.0%} | {page['errors']} |"
        )
    content = throughput["long content page"]["ratio"]
    verdict = "met" if content >= 0.5 else "NOT met"
    lines += [
        "",
        f"Target: a content page at half the static file's rate or better — **{verdict}** ({content:.0%}).",
        "",
        "## Lighthouse",
        "",
        "Lighthouse 12.8.2, Chromium headless, default mobile settings (simulated slow 4G, 4× CPU slowdown).",
        "Budget: 100 in every category, at most 20 KB transferred and 3 requests, no JavaScript. Requests count",
        "what goes over the network (the `data:` icon Chromium draws in a date field is not a request).",
        "",
        "| page | performance | accessibility | best practices | SEO | transferred | requests | scripts |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, audit in audits.items():
        lines.append(
            f"| {name} | {audit['performance']} | {audit['accessibility']} | {audit['best-practices']} | "
            f"{audit['seo']} | {audit['bytes'] / 1024:.1f} KB | {audit['requests']} | {audit['scripts']} |"
        )
    misses = [
        f"{name}: {key} {value}"
        for name, audit in audits.items()
        for key, value in audit.items()
        if (key in ("performance", "accessibility", "best-practices", "seo") and value < 100)
        or (key == "bytes" and value > 20 * 1024)
        or (key == "requests" and value > 3)
        or (key == "scripts" and value > 0)
    ]
    lines += [
        "",
        "Budget " + ("met on every page." if not misses else "missed: " + "; ".join(misses) + "."),
        "",
    ]
    if audits.get("thank-you page", {}).get("seo", 100) < 100:
        lines += [
            "The thank-you page's SEO score is below 100 on purpose: it carries `noindex`, because it only makes",
            "sense after sending the form and must not appear in search results. Lighthouse's SEO category",
            "counts any page that blocks indexing as a failure.",
            "",
        ]
    lines += [
        "## Inside the process",
        "",
        "Django's test client against the same database, page cache off: queries per request, and the time to "
        "handle a request (middleware, queries, template rendering) over 50 requests after a warm-up. With the "
        "page cache on, a public page served again costs no query at all.",
        "",
        "| page | queries | median ms | p95 ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, result in in_process.items():
        lines.append(f"| {name} | {result['queries']} | {result['median_ms']:.2f} | {result['p95_ms']:.2f} |")
    lines += ["", "Reproduce with `make bench` (`BENCH_SECONDS=30 make bench` for longer runs).", ""]
    path = BASE / "docs" / "performance.md"
    path.write_text("\n".join(lines))
    print(f"wrote {path}")


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"done in {time.monotonic() - started:.0f} s")

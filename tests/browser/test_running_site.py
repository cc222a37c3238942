"""The running site (gunicorn, two workers, DEBUG off), changed from another process, as staff would."""

import urllib.request

FRESH = "Words published while the site was running."


def _fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 -- our own local server
        return response.read().decode()


def test_a_published_page_shows_at_once_in_every_worker(site):
    url = f"{site.url}/learn/what-to-expect/"
    workers = site.workers()
    assert len(workers) >= 2
    for _ in range(6 * len(workers)):  # every worker has the old page in its cache by now
        assert FRESH not in _fetch(url)
    site.python(
        "from content import publishing\n"
        "from content.models import Page\n"
        "page = Page.objects.get(slug='what-to-expect')\n"
        f"page.body += '\\n\\n{FRESH}'\n"
        "publishing.save_draft(document=page, user=None)\n"
        "publishing.publish(document=page, user=None)\n"
    )
    answers = [_fetch(url) for _ in range(6 * len(workers))]
    assert all(FRESH in answer for answer in answers)

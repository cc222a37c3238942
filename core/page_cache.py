"""A page cache for what every visitor sees alike: the public pages, served without rendering again.

Patients who are not signed in all get the same home, topic and condition pages, so each worker keeps
the ones it has rendered in memory and answers the next request for them straight away. Once a change to
what a page shows (any row of an app in PAGE_CACHE_APPS: a page, a condition, the clinic profile) has
committed, one small file in the data folder is touched; every worker sees the new file time on its next request and forgets what it kept, so a change
published in the admin is live on the next request in every gunicorn worker.

Never cached: signed-in staff (they may be looking at drafts), the form and thank-you pages, addresses
with a query string, anything not a plain 200 GET, anything that sets a cookie or must not be stored.
"""

import logging
import os
import time

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip

SKIPPED_PREFIXES = ("/admin/", "/account/", "/contact/", "/markdownx/", "/media/", "/static/")
MAX_ENTRIES = 500

logger = logging.getLogger(__name__)


def _version():
    try:
        return os.stat(settings.PAGE_CACHE_VERSION_FILE).st_mtime_ns
    except OSError:  # not made yet, or a data folder that cannot be read
        return 0


def bump():
    """Tell every worker that cached pages are out of date.

    A data folder that cannot be written must not make saving a page fail: the change is saved, the
    failure is logged, and workers drop their copies when PAGE_CACHE_SECONDS runs out.
    """
    path = settings.PAGE_CACHE_VERSION_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = max(time.time_ns(), _version() + 1)  # two changes within the clock's resolution still differ
        path.touch()
        os.utime(path, ns=(stamp, stamp))
    except OSError as error:
        logger.error("A page changed but could not clear the page cache (%s: %s).", path, error)


def _content_changed(sender, **kwargs):
    if sender._meta.app_label in settings.PAGE_CACHE_APPS:
        transaction.on_commit(bump, using=kwargs.get("using"))


def connect_signals():
    """Called from CoreConfig.ready(): any saved or deleted row of a public-content app clears the cache
    once its transaction commits (before that, another worker would cache the old page again)."""
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_content_changed, dispatch_uid=f"core.page_cache.{signal}")


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.pages = {}
        self.version = None

    def _cacheable_request(self, request):
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.META.get("QUERY_STRING")  # public pages take none; variants must not fill memory
            and not request.path.startswith(SKIPPED_PREFIXES)
        )

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        version = _version()
        if version != self.version:
            self.pages, self.version = {}, version
        # The same test as GZipMiddleware's, so a copy kept as compressed really is compressed.
        gzip = bool(re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")))
        key = (request.get_host(), request.path, gzip)
        kept = self.pages.get(key)
        if kept is not None and kept[0] > time.monotonic():
            _, content, headers = kept
            response = HttpResponse(content)
            for name, value in headers:
                response.headers[name] = value
            return response
        response = self.get_response(request)
        if self._cacheable_response(response) and len(self.pages) < MAX_ENTRIES:
            expires = time.monotonic() + settings.PAGE_CACHE_SECONDS
            self.pages[key] = (expires, response.content, list(response.headers.items()))
        return response

    @staticmethod
    def _cacheable_response(response):
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "no-store" not in cache_control
            and "private" not in cache_control
        )

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What the whole site shares and no single topic owns: home, sitemap, robots.txt, headers, page cache."""

    name = "core"
    verbose_name = "Site"

    def ready(self):
        from core import page_cache

        page_cache.connect_signals()

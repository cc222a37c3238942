from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.urls import path

from core import views
from core.sitemaps import sitemaps

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps()}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.FaviconView.as_view(), name="favicon"),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media"),
]

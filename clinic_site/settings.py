"""Settings for the clinic site, read from the environment and safe by default.

DEBUG is off unless DJANGO_DEBUG asks for it. With DEBUG off the site refuses to start without a real
secret key (DJANGO_SECRET_KEY, or the one `make run` generated in the data folder) and allowed hosts, and
turns the HTTPS protections on; DJANGO_LOCAL_HTTP (set by `make run`)
turns those off for a plain-HTTP server on localhost. See the README for every variable.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core.data_folder import data_folder_secure

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("DJANGO_DATA_DIR", BASE_DIR / "var"))
DEBUG = env_bool("DJANGO_DEBUG")
LOCAL_HTTP = env_bool("DJANGO_LOCAL_HTTP")


def generated_key(name):
    """A key `make run` generated into the data folder (`var/secret_key`, `var/inquiry_key`), or "".

    Read only when its environment variable is unset, so that `manage.py createsuperuser` or `shell` work
    after `make run` with no setup; production sets the variables and never reaches this. A key file that
    other users could read is refused rather than trusted.
    """
    path = DATA_DIR / name
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return ""
    if mode & 0o077:
        raise ImproperlyConfigured(f"{path} is open to other users: run `chmod 600 {path}`.")
    return path.read_text().strip()


# The secret key from the environment or else the data folder; without either, DEBUG off refuses to start.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
KEY_FROM_DATA_DIR = False
if not SECRET_KEY:
    SECRET_KEY = generated_key("secret_key")
    KEY_FROM_DATA_DIR = bool(SECRET_KEY)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off ({DATA_DIR / 'secret_key'} is not there)."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 -- never used with DEBUG off
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is too short or a placeholder; use 50+ random characters.")

# A site running on `make run`'s generated key is a local one: it answers on localhost unless told more.
# (DJANGO_LOCAL_HTTP is not implied: the HTTPS protections stay on unless asked off.)
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or KEY_FROM_DATA_DIR else ""
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "accounts.apps.StaffAdminConfig",  # Django's admin, with the two-factor admin site
    "core",
    "accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "markdownx",
    "simple_history",
    "content",
    "conditions",
    "inquiries",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.page_cache.PageCacheMiddleware",
    "django.middleware.gzip.GZipMiddleware",  # inside the page cache: a cached page is compressed once
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.RequestCharsetMiddleware",  # before anything reads a request body
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.staff.StaffSessionMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic_site.urls"
WSGI_APPLICATION = "clinic_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.canonical_url",
                "content.context_processors.clinic",
            ],
        },
    },
]

# Database: DATABASE_URL, or an SQLite file in the data folder (git ignores it).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share one file: WAL lets readers work beside a writer, IMMEDIATE takes
    # the write lock when a transaction starts (no lock upgrade deadlock), and the timeout waits for it.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# The data folder and the SQLite file hold health data: 0700 and 0600 before anything opens them.
data_folder_secure(
    folder=DATA_DIR,
    sqlite_name=DATABASES["default"]["NAME"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else None,
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.RepetitionValidator"},
]

# Staff sign-in (accounts/): two-factor for all staff, lockout, sessions that end, sudo mode.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "/admin/"
# Off only for a demo: superusers and anyone with a permission on inquiries or staff accounts still
# need two-factor sign-in (accounts/policy.py).
TWO_FACTOR_FOR_ALL_STAFF = env_bool("DJANGO_TWO_FACTOR_FOR_ALL_STAFF", default=True)
OTP_TOTP_ISSUER = os.environ.get("DJANGO_OTP_ISSUER", "Clinic site")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows another user's authenticator secret
STAFF_SUDO_SECONDS = 5 * 60  # turning two-factor off, a new device or backup codes: password this recent
SESSION_COOKIE_AGE = 30 * 60  # 30 minutes without a request ends a session ...
SESSION_SAVE_EVERY_REQUEST = True  # ... because each request renews it
STAFF_SESSION_MAX_AGE = 12 * 3600  # and no staff session lasts longer than 12 hours
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # lockouts are still logged; the start-up banner is not
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
# Failed sign-ins keep no form data (accounts/lockout.py); these are masked even so.
AXES_PASSWORD_FORM_FIELD = "auth-password"  # noqa: S105 -- the form field's name
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "auth-password"]
AXES_CLIENT_IP_CALLABLE = "core.client.client_address"
# Proxies in front whose X-Forwarded-For is trusted: the client is the Nth address from its right.
# DJANGO_BEHIND_PROXY=1 alone means one proxy.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("DJANGO_TRUSTED_PROXY_COUNT") or (1 if env_bool("DJANGO_BEHIND_PROXY") else 0)
)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be 0 or more.")

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", DATA_DIR / "media"))
# Uploaded images are public: readable by a web server serving MEDIA_ROOT, whatever gunicorn's 077 umask.
FILE_UPLOAD_PERMISSIONS = 0o644
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o755
# Django serves uploaded images itself only when asked (make run, make dev); production lets the web
# server or object storage do it (README).
SERVE_MEDIA = DEBUG or env_bool("DJANGO_SERVE_MEDIA")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Public pages kept in each worker's memory until content changes (core/page_cache.py); 0 turns it off.
PAGE_CACHE_SECONDS = int(os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "600"))
PAGE_CACHE_VERSION_FILE = DATA_DIR / "page-cache-version"
# Apps whose saved rows change what public pages show.
PAGE_CACHE_APPS = {"content", "conditions"}

# Markdown: one pipeline for the public pages and the admin preview.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "content.markdown.markdownify"
MARKDOWNX_UPLOAD_MAX_SIZE = 5 * 1024 * 1024
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp"]
MARKDOWNX_MEDIA_PATH = "markdownx/"

# Security. HTTPS protections are on with DEBUG off, except for `make run` on plain-HTTP localhost.
HTTPS = not DEBUG and not LOCAL_HTTP
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_SAMESITE = "Lax"
# Nothing is allowed unless a page needs it, and then only from the site itself: no inline script or
# style, no other host, no frames, no fonts. Public pages, the contact form and staff sign-in need their
# stylesheet and images (the favicon, uploaded pictures, the two-factor QR code) and nothing else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "upgrade-insecure-requests": HTTPS,
    }
}
# The admin's pages also run Django's and markdownx's scripts, which fetch the live preview, the image
# upload and the plain-language check (core.middleware.ContentSecurityPolicyMiddleware adds this).
CONTENT_SECURITY_POLICY_ADMIN = {"script-src": [SELF], "connect-src": [SELF]}
# core.middleware.SecurityHeadersMiddleware sends these two on every response, static files too.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), xr-spatial-tracking=()"
)
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

# Where links in emails point; the site's public address.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000")

# Email. With no EMAIL_HOST, messages are written to the console (they never hold health data).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic-site@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
FRONT_DESK_EMAIL = os.environ.get("FRONT_DESK_EMAIL", "frontdesk@localhost")

# Inquiries: encryption at rest, abuse limits, retention.
# Newest first; older keys still decrypt. Unset, the key `make run` generated into the data folder.
INQUIRY_ENCRYPTION_KEYS = env_list("INQUIRY_ENCRYPTION_KEY") or [
    key.strip() for key in generated_key("inquiry_key").split(",") if key.strip()
]
INQUIRY_RATE_LIMIT = (int(os.environ.get("INQUIRY_RATE_LIMIT", "5")), 600)  # submissions per 10 minutes
INQUIRY_MIN_SECONDS = float(os.environ.get("INQUIRY_MIN_SECONDS", "3"))  # a person takes longer than this
INQUIRY_FORM_MAX_AGE = 24 * 3600  # a form left open longer than this asks to be sent again
INQUIRY_MAX_REQUEST_BYTES = 64 * 1024
INQUIRY_RETENTION_DAYS = int(os.environ.get("INQUIRY_RETENTION_DAYS", "365"))
# How soon the front desk promises an answer; an open inquiry waiting longer is marked overdue.
INQUIRY_RESPONSE_HOURS = int(os.environ.get("INQUIRY_RESPONSE_HOURS", "24"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DEFAULT_EXCEPTION_REPORTER_FILTER = "inquiries.error_reports.NoPostDataFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Old versions are read in the history, never saved from there: restoring is content's one-step restore,
# which keeps the publishing rules (simple-history's "Revert" form would save around them).
SIMPLE_HISTORY_REVERT_DISABLED = True

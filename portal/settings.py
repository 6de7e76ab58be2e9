"""Settings for the bureau portal: one base, switched by environment variables (see README)."""
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as corsheaders_default_headers
from django.utils.translation import gettext_lazy as _

from portal.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DJANGO_DEBUG", False)
# Management commands (migrate, makemigrations, createsuperuser) need no stable key, so they run
# with a placeholder; the web process refuses to start on it (portal/wsgi.py) and
# `check --deploy` flags it (security.W009: the "django-insecure-" prefix).
SECRET_KEY_PLACEHOLDER = "django-insecure-no-DJANGO_SECRET_KEY-was-set-do-not-serve-with-this"
SECRET_KEY = envstr("DJANGO_SECRET_KEY") or SECRET_KEY_PLACEHOLDER
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "axes",
    "portal",
    "agencies",
    "duties",
    "ingest",
    "freshness",
    "search",
]

# The staff back office's imports, exports and undo (agencies/services.py) span the tables of several
# apps. The project names them here, so that `agencies`, which the other apps build on, imports none of them.
STAFF_IMPORT_RESOURCES = {  # by the name the import_data/export_data commands and the files use
    "regions": "agencies.resources.RegionResource",
    "agencies": "agencies.resources.AgencyResource",
    "names": "agencies.resources.AgencyNameResource",
    "contacts": "agencies.resources.ContactResource",
    "office-hours": "agencies.resources.OfficeHoursResource",
    "special-days": "agencies.resources.SpecialDayResource",
    "holidays": "agencies.resources.PublicHolidayResource",
    "sources": "agencies.resources.SourceResource",
    "duty-categories": "duties.resources.DutyCategoryResource",
    "duties": "duties.resources.DutyResource",
    "synonyms": "search.resources.SynonymResource",
}
STAFF_HISTORY_MODELS = [  # models with history, children before parents (the order to undo creations)
    "duties.Duty", "agencies.Contact", "agencies.OfficeHours", "agencies.SpecialDay", "agencies.AgencyName",
    "agencies.Source", "agencies.Agency", "agencies.Region", "duties.DutyCategory", "agencies.PublicHoliday",
]
STAFF_AGENCY_RECORD_MODELS = [  # an agency's own rows, parents before children (the order to restore)
    "agencies.AgencyName", "agencies.Contact", "agencies.OfficeHours", "agencies.SpecialDay", "agencies.Source",
    "duties.Duty",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.http_methods.HttpMethodMiddleware",  # outside compression: a HEAD keeps its Content-Length
    # Compresses HTML, JSON and CSV (not /admin/): BREACH reasoning in portal/compression.py.
    "portal.compression.CompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.middleware.RememberedLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware must be last: it turns lockouts into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "freshness.pages.cacheable_csrf",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite behind a multi-worker web server (`make run`): readers never block the writer (WAL), a
    # writer waits for another instead of failing at once (timeout, seconds), and every transaction
    # takes the write lock when it begins (IMMEDIATE), so two saves of one agency queue up and the
    # second meets the lost-update refusal instead of "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every worker and app server: rate limits, cached pages and API answers.
# Redis in production; without it a directory on disk, which all workers of one machine share
# (never per-process memory: each worker would count limits and hold pages alone).
REDIS_URL = envstr("REDIS_URL")
CACHE_KEY_PREFIX = envstr("CACHE_KEY_PREFIX", "portal")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    # Sessions read from Redis, written through to the database (survive a Redis restart).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": envstr("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 5000)},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Anonymous pages and API answers come from the cache, keyed on the content version (freshness/).
FRESHNESS_CACHE_RESPONSES = envbool("PORTAL_CACHE_PAGES", True)
FRESHNESS_TIMEOUT = envint("CACHE_RESPONSE_SECONDS", 24 * 3600)  # an entry of an old version just ages out
FRESHNESS_RELEASE = envstr("RELEASE")  # default: a fingerprint of the code, templates and translations
# Apps whose tables the public reads: every write to them moves the content version (triggers).
FRESHNESS_CONTENT_APPS = ["agencies", "duties", "search"]
FRESHNESS_EXCLUDED_MODELS = [
    "agencies.AgencyAssignment", "agencies.ImportBatch", "search.IndexVersion",
    "agencies.RegionTally",  # derived from the agencies by triggers: their own writes move the version
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling: lock a username+IP pair (not a whole office behind one NAT) for a while.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language is in the URL (/zh-hans/...); the switcher's choice is also remembered for a year, so
# a returning visitor who chose Chinese lands on the Chinese pages (portal.middleware).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
FORMAT_MODULE_PATH = ["portal.formats"]  # one date style per language (portal/formats/)
TIME_ZONE = "UTC"  # stored in UTC; every agency carries its own IANA zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security: production defaults; plain-HTTP local serving opts out with DJANGO_SECURE_SSL=false.
SECURE_SSL = envbool("DJANGO_SECURE_SSL", False)
SECURE_SSL_REDIRECT = SECURE_SSL
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
LANGUAGE_COOKIE_SECURE = SECURE_SSL
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 31536000 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("DJANGO_BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Public API.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = [*corsheaders_default_headers, "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]  # scripts on other sites may read them
API_ANON_RATE = envstr("API_ANON_RATE", "600/minute")
API_NUM_PROXIES = envint("API_NUM_PROXIES", 0)
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": API_ANON_RATE},
    # Only trust as many X-Forwarded-For hops as there are proxies we run: a forged header can't
    # dodge the limit.
    "NUM_PROXIES": API_NUM_PROXIES,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bureau portal API",
    "DESCRIPTION": "Read-only public API over published bureau profiles.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: each would be a link nested inside the operation's toggle button (axe
    # nested-interactive); the rest of Swagger UI's defaults stay.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    # System fonts: ReDoc's theme names Montserrat/Roboto, which would come from a font CDN.
    "REDOC_UI_SETTINGS": {"theme": {"typography": {
        "fontFamily": "system-ui, sans-serif", "headings": {"fontFamily": "system-ui, sans-serif"},
        "code": {"fontFamily": "ui-monospace, monospace"},
    }}},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.params.schema_lists_not_empty"],
    "ENUM_NAME_OVERRIDES": {
        "AgencyLevelEnum": "agencies.models.Agency.Level",
        "RegionLevelEnum": "agencies.models.Region.Level",
    },
}

# Import/export: writes are all-or-nothing and need explicit permissions.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# The admin imports a file twice (preview, then confirm) inside one request: bigger files go through
# `manage.py import_data`, which has no limit and no worker timeout (README: "Big files").
IMPORT_ADMIN_MAX_BYTES = envint("IMPORT_ADMIN_MAX_MB", 2) * 2**20
IMPORT_ADMIN_MAX_ROWS = envint("IMPORT_ADMIN_MAX_ROWS", 5000)

# Correction reports: per-client limit.
CORRECTIONS_PER_HOUR = envint("CORRECTIONS_PER_HOUR", 5)
# Staff may fetch a bureau's page by URL only when this is on (off: upload or paste the page).
INGEST_URL_FETCH = envbool("INGEST_URL_FETCH", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}

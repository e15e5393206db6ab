"""Django settings for urne: everything comes from the environment (docs/configuration.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from urne.env import env, env_secret, envbool, envfloat, envint, envlist, project_data_dir

BASE_DIR = Path(__file__).resolve().parent
# The embedded default's files (SQLite database, uploads, mail): the checkout's var/, wherever
# the command runs from (env.project_data_dir).
DATA_DIR = Path(env("URNE_DATA_DIR") or project_data_dir(BASE_DIR))

# Production mode turns every safety on and refuses the conveniences of development and tests.
PRODUCTION = envbool("URNE_PRODUCTION", False)
DEBUG = envbool("URNE_DEBUG", False)
DEMO = envbool("URNE_DEMO", False)

SECRET_KEY = env_secret("URNE_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "URNE_SECRET_KEY (or URNE_SECRET_KEY_FILE) is required in production"
        )
    # Development only: a fixed, well-known key that production refuses above.
    SECRET_KEY = "urne-development-key-not-for-production-" + "x" * 20
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("URNE_DEBUG must be off in production")

# The key of the electors' pseudonyms in the ballot box's table of public credentials
# (urne.voting.pseudonyms): kept out of the database, so that a copy of it does not join an
# émargement to a ballot. The web hosts and the credential authority need the same one; it must
# never change during a campaign (the credentials stored would no longer be found).
URNE_PSEUDONYM_KEY = env_secret("URNE_PSEUDONYM_KEY")
if not URNE_PSEUDONYM_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "URNE_PSEUDONYM_KEY (or URNE_PSEUDONYM_KEY_FILE) is required in production"
        )
    # Development only, like SECRET_KEY above.
    URNE_PSEUDONYM_KEY = "urne-development-pseudonym-key-not-for-production"
if PRODUCTION and len(URNE_PSEUDONYM_KEY) < 32:
    raise ImproperlyConfigured("URNE_PSEUDONYM_KEY must be at least 32 random characters")

ALLOWED_HOSTS = envlist(
    "URNE_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
CSRF_TRUSTED_ORIGINS = envlist("URNE_CSRF_TRUSTED_ORIGINS")
SITE_URL = env("URNE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django's admin, whose site (/gestion/) lets in only staff who gave their second factor.
    "urne.staffauth.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "captcha",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "urne.web",
    "urne.campaign",
    "urne.accounts",
    "urne.candidacies",
    "urne.voting",
    "urne.counting",
    "urne.sealing",
    "urne.authority",
    "urne.support",
    "urne.backoffice",
    "urne.audit",
    "urne.mailings",
    "urne.operations",
    "urne.staffauth",
    "urne.demo",
]

MIDDLEWARE = [
    # Requests and latency per view (django-prometheus; urne.operations, docs/supervision.md):
    # the "before" middleware first and the "after" one last, so that they time everything.
    "urne.operations.middleware.PrometheusBeforeMiddleware",
    # One JSON log line per request, with its id (urne.operations.logs).
    "urne.operations.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Keeps the request's address for the audit entries recorded while serving it.
    "urne.audit.context.AuditSourceMiddleware",
    # request.user.is_verified(): the second factor given in this session (urne.staffauth).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "urne.web.middleware.VisitorErrorMiddleware",
    "urne.operations.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "urne.urls"
WSGI_APPLICATION = "urne.wsgi.application"

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
                "urne.support.context_processors.assistance",
                "urne.backoffice.pages.backoffice_context",
            ],
        },
    }
]

# Storage: PostgreSQL in production (DATABASE_URL), embedded SQLite by default.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'urne.sqlite3'}"),
        conn_max_age=envint("URNE_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database: a transaction takes SQLite's write lock when it begins, so that two
    # requests writing at once wait for each other (busy timeout) instead of one failing at once
    # with "database is locked" when its read turns into a write (two sign-ups at once).
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
# PostgreSQL through Django's connection pool (psycopg_pool), one pool per process, holding at
# most URNE_DB_POOL_SIZE connections (0: no pool, one connection kept URNE_DB_CONN_MAX_AGE
# seconds). A connection is checked before each use, so that a PostgreSQL restarted meanwhile
# costs a new connection, not a failed request (docs/deployment.md).
URNE_DB_POOL_SIZE = envint("URNE_DB_POOL_SIZE", 0)
if URNE_DB_POOL_SIZE > 0 and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections instead
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": URNE_DB_POOL_SIZE,
        # Seconds a request waits for a free connection before failing.
        "timeout": envfloat("URNE_DB_POOL_TIMEOUT", 10.0),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if not env("DATABASE_URL"):
    # SQLite makes its file, not the folder: without this, a first `urne migrate` ends in "unable
    # to open database file".
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"The data folder {DATA_DIR} cannot be created ({exc.strerror}): set URNE_DATA_DIR "
            "to a folder urne may write to, or DATABASE_URL"
        ) from exc

# Caches back the rate limits: they must be shared by every web process.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "urne_cache",
        }
    }

AUTH_USER_MODEL = "accounts.User"
# Argon2id with OWASP's costs (accounts/hashers.py): hashes made with Django's heavier defaults
# still verify and are made again with these costs at the next successful login.
PASSWORD_HASHERS = [
    "urne.accounts.hashers.SizedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "urne.accounts.password_validation.MixedCaseAndDigitValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "campaign:space"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = envint("URNE_LINK_TIMEOUT_SECONDS", 3 * 24 * 3600)

# French first, English too.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The project-wide assets (urne.css, scripts) live in src/urne/static, outside any app.
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("URNE_MEDIA_ROOT", str(DATA_DIR / "media")))
# A profession de foi is a few pages: the limit keeps every elector's download quick
# (urne.candidacies.validators).
URNE_PROFESSION_DE_FOI_MAX_BYTES = envint("URNE_PROFESSION_DE_FOI_MAX_BYTES", 5 * 1024 * 1024)
# An electors file uploaded in the back office (urne.campaign.import_jobs): a million lines of
# the documented format weigh about 150 MB; larger files go through `urne import_electors`.
URNE_IMPORT_MAX_BYTES = envint("URNE_IMPORT_MAX_BYTES", 256 * 1024 * 1024)
# Uploaded import files (personal data): kept for the record, never served.
IMPORTS_ROOT = Path(env("URNE_IMPORTS_ROOT", str(DATA_DIR / "imports")))
# How long a campaign's personal data is kept after the vote closes, in months (DOMAIN.md: two
# years); `urne purge_personal_data --execute` refuses before (urne.campaign.purge).
URNE_RETENTION_MONTHS = envint("URNE_RETENTION_MONTHS", 24)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Mail: SMTP in production; in development and the demo, files the person trying it can read
# (also shown at /aide/courriels/, demo:mailbox, when URNE_DEMO is on).
DEFAULT_FROM_EMAIL = env(
    "URNE_FROM_EMAIL", "Élections professionnelles <ne-pas-repondre@urne.example>"
)
EMAIL_BACKEND = env(
    "URNE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env("URNE_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("URNE_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("URNE_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("URNE_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("URNE_EMAIL_USE_TLS", False)

# Background work: a broker in production; without one, tasks run in-process (embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# The workers log through LOGGING below (JSON lines in production, urne.operations.logs), not
# through a console format of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The Celery application is made with the settings, before any app's tasks are imported, so that
# their `shared_task`s bind to it. (Not in urne/__init__.py: the protocol core, urne.crypto, must
# load without Celery.) It reads the CELERY_* settings above lazily, when first used.
import urne.celery  # noqa: E402,F401  (for its effect: the application exists)

# The credential authority (docs/credential-authority.md). Its tasks go to their own queue, which
# only the authority's worker (`celery -A urne worker -Q authority`, on a host holding the
# private key) consumes. The public key (Base64, or a file holding it) seals identifiers and
# may be on every host; the private key (a file) opens them: never on the web hosts (urne.E009).
# Without a broker (the demo, the tests) tasks run in-process, with the key set here.
# The count (urne.counting): celery beat closes the ballot boxes whose time has come, every
# minute (without beat, the command `urne close_elections` or any later visit of the board does).
CELERY_BEAT_SCHEDULE = {
    "close-due-elections": {"task": "urne.counting.close_due_elections", "schedule": 60.0},
}
CELERY_TASK_ROUTES = {
    "urne.authority.tasks.*": {"queue": "authority"},
}
URNE_AUTHORITY_PUBLIC_KEY = env("URNE_AUTHORITY_PUBLIC_KEY")
URNE_AUTHORITY_PRIVATE_KEY = env("URNE_AUTHORITY_PRIVATE_KEY")
if DEMO and not URNE_AUTHORITY_PRIVATE_KEY and not URNE_AUTHORITY_PUBLIC_KEY:
    # `make demo` plays the credential authority in its one process, with the key pair it made
    # in the data folder (urne.demo.generator.authority_folder); production keeps the private key
    # on the authority's own host (docs/credential-authority.md, check urne.E009).
    URNE_AUTHORITY_PRIVATE_KEY = str(DATA_DIR / "demo" / "authority" / "authority.key")
# SMS: a backend class like Django's email backends (urne.authority.sms). The file backend writes
# one file per message into URNE_SMS_FILE_PATH (demo, tests); plug a provider's own class here.
# Mailings from the back office (urne.mailings, docs/mailings.md): messages per second each
# mailing sends at most (0: no pause), to stay within what the mail relay accepts.
URNE_MAILING_RATE = envfloat("URNE_MAILING_RATE", 10.0)
URNE_SMS_BACKEND = env("URNE_SMS_BACKEND", "urne.authority.sms.FileBackend")
URNE_SMS_FILE_PATH = Path(env("URNE_SMS_FILE_PATH", str(DATA_DIR / "sms")))

# Captcha: the test switch lets anyone answer "PASSED". It needs debug on, which production
# refuses, so that a forgotten URNE_PRODUCTION alone cannot leave it open on a public server. The
# test run, which has debug off, turns it on in its own settings (tests/settings.py).
CAPTCHA_TEST_MODE = envbool("URNE_CAPTCHA_TEST_MODE", False)
if CAPTCHA_TEST_MODE and not DEBUG:
    raise ImproperlyConfigured(
        "URNE_CAPTCHA_TEST_MODE needs URNE_DEBUG: it is a development switch, refused in production"
    )
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_IMAGE_SIZE = (180, 60)
CAPTCHA_FONT_SIZE = 40
# The spoken captcha needs Debian's `espeak-ng` (docs/accounts.md), which speaks the page's
# language; without it there is no audio link. simple-captcha's own audio (flite, English only)
# stays off: CAPTCHA_FLITE_PATH is left unset.
CAPTCHA_ESPEAK_PATH = env("URNE_CAPTCHA_ESPEAK_PATH", shutil.which("espeak-ng") or "") or None

# Rate limits (django-ratelimit) use the shared cache above.
RATELIMIT_ENABLE = envbool("URNE_RATELIMIT_ENABLE", True)
RATELIMIT_VIEW = "urne.web.views.rate_limited"
# Behind a proxy, the request header holding the client's address (e.g. HTTP_X_REAL_IP):
# otherwise every visitor shares the proxy's address and its limits.
RATELIMIT_IP_META_KEY = env("URNE_RATELIMIT_IP_META_KEY") or None
# The voter account's limits (docs/accounts.md): failed logins, and emails asked for.
URNE_RATE_LOGIN_PER_ADDRESS = env("URNE_RATE_LOGIN_PER_ADDRESS", "5/15m")
URNE_RATE_LOGIN_PER_IP = env("URNE_RATE_LOGIN_PER_IP", "30/15m")
URNE_RATE_MAIL_PER_ADDRESS = env("URNE_RATE_MAIL_PER_ADDRESS", "3/1h")
URNE_RATE_MAIL_PER_IP = env("URNE_RATE_MAIL_PER_IP", "30/1h")
# « Recevoir mon identifiant de vote »: sendings per elector, wrong challenge answers per elector.
URNE_RATE_IDENTIFIER_SENDINGS = env("URNE_RATE_IDENTIFIER_SENDINGS", "3/1d")
URNE_RATE_IDENTIFIER_WRONG_ANSWERS = env("URNE_RATE_IDENTIFIER_WRONG_ANSWERS", "5/1h")
URNE_RATE_IDENTIFIER_WRONG_ANSWERS_PER_DAY = env(
    "URNE_RATE_IDENTIFIER_WRONG_ANSWERS_PER_DAY", "10/1d"
)
# ... and per client network, whatever the account.
URNE_RATE_IDENTIFIER_WRONG_ANSWERS_PER_NETWORK = env(
    "URNE_RATE_IDENTIFIER_WRONG_ANSWERS_PER_NETWORK", "30/1h"
)
# Staff's second-factor codes (TOTP or recovery), per account and per client (urne.staffauth).
URNE_RATE_CODE_PER_ACCOUNT = env("URNE_RATE_CODE_PER_ACCOUNT", "5/15m")
URNE_RATE_CODE_PER_IP = env("URNE_RATE_CODE_PER_IP", "30/15m")
# Security codes made or spoken for one client (form displays, new codes, audio).
URNE_RATE_CAPTCHA_PER_IP = env("URNE_RATE_CAPTCHA_PER_IP", "100/15m")
# Ballots sent to the ballot box's API by one elector for one scrutin (docs/api.md).
URNE_RATE_CAST_PER_ELECTOR = env("URNE_RATE_CAST_PER_ELECTOR", "10/1m")
# Elections each web process keeps prepared for the ballots' check (11-bit fixed-base tables of
# the election key, about 15 MB each, built in a few tenths of a second at an election's first
# ballot in the process; the least recently used goes). 0: none, the check then uses the 8-bit
# tables every process keeps, about 15 % slower (docs/benchmarks.md): docs/configuration.md.
URNE_PREPARED_ELECTIONS = envint("URNE_PREPARED_ELECTIONS", 4)
# Seconds a sending of receipt emails waits after the ballot that queued it, so that the ballots
# of that moment go out in one batch (urne.voting.receipts).
URNE_RECEIPT_DELAY_SECONDS = envint("URNE_RECEIPT_DELAY_SECONDS", 2)
# The ballot box takes no ballot for a campaign that has no seal (urne.sealing.gate,
# docs/sealing.md). On unless turned off: only a test run or a rehearsal may turn it off.
URNE_SEAL_REQUIRED = envbool("URNE_SEAL_REQUIRED", True)
if PRODUCTION and not URNE_SEAL_REQUIRED:
    raise ImproperlyConfigured("URNE_SEAL_REQUIRED cannot be turned off in production")

# Staff's second factor (urne.staffauth, docs/accounts.md): TOTP codes within one step of
# 30 seconds either way, each step usable once. django-otp's own per-device delays are off: the
# atomic limits above (URNE_RATE_CODE_*) count every code before it is checked.
OTP_TOTP_ISSUER = env("URNE_OTP_ISSUER", "urne")
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Content Security Policy: same-origin everything, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The booth builds ballots in a module Web Worker served from our static files.
        "worker-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sessions: in the database, read through the Redis cache when there is one (every request of a
# logged-in voter reads its session; a login writes both, so a cache flushed or lost only
# costs database reads, never a session).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("URNE_SESSION_SECONDS", 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The load balancer's health checks and Prometheus' scrapes reach gunicorn's private address
# over plain HTTP: answered there, not redirected to HTTPS (urne.operations, docs/supervision.md).
SECURE_REDIRECT_EXEMPT = [r"^sante/$", r"^metrics$"]
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("URNE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("URNE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs: never a password, a token or an identifier; Django's own filters hide request POST data.
# In production one JSON object a line (urne.operations.logs, docs/supervision.md): the fields
# it names and no other, each with the request's id; "text" for a person reading a console.
URNE_LOG_FORMAT = env("URNE_LOG_FORMAT", "json" if PRODUCTION else "text")
if URNE_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"URNE_LOG_FORMAT must be json or text, not {URNE_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # Django logs the path of every error answer: an account link's token must not stay there.
        "hide_link_tokens": {"()": "urne.accounts.logs.HideLinkTokens"},
        "request_context": {"()": "urne.operations.logs.RequestContext"},
    },
    "formatters": {
        "json": {"()": "urne.operations.logs.JsonFormatter"},
        "text": {"()": "urne.operations.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": URNE_LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("URNE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["hide_link_tokens"]},
        # The development server's request lines, to the console like the rest.
        "django.server": {"filters": ["hide_link_tokens"], "propagate": True},
    },
}

# Supervision (urne.operations, docs/supervision.md). The bearer token that opens /metrics and
# the health's details (32 characters at least in production, urne.E010); without it, in
# production, /metrics answers 404 to everyone (urne.W011).
URNE_METRICS_TOKEN = env_secret("URNE_METRICS_TOKEN")
# /sante/ fails ("disk") when a folder urne writes to has less free space than this.
URNE_HEALTH_MIN_FREE_MB = envint("URNE_HEALTH_MIN_FREE_MB", 1024)
# Seconds a web process keeps its last health result: a load balancer asking every second from
# several places costs one round of checks per process and period.
URNE_HEALTH_CACHE_SECONDS = envfloat("URNE_HEALTH_CACHE_SECONDS", 1.0)

CSRF_FAILURE_VIEW = "urne.web.views.csrf_failure"

"""Settings, read from the environment.

Variables use Django's own setting names (SECRET_KEY, DEBUG, ALLOWED_HOSTS, EMAIL_HOST, …) plus
DATABASE_URL and REDIS_URL. With nothing set, the site runs in development mode on an embedded
SQLite file; production is DEBUG=false with SECRET_KEY and ALLOWED_HOSTS given.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_float(name, default):
    value = os.environ.get(name)
    return default if value in (None, "") else float(value)


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-secret-key-never-use-in-production-0123456789"
# Former keys, comma-separated, still accepted while what they signed expires (Django's rotation).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address of the site, for links that leave it (emails, feeds read elsewhere).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "The Magazine Rack")

INSTALLED_APPS = [
    "caching",
    "accounts",
    "paywall",
    "magazine",
    "comments",
    "magazine.admin_site.MagazineAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.usersessions",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "outbox",
    "sharing",
    "billing",
    "newsletters",
    "print_readers",
    "demo",
]

# The order is load-bearing. A request passes down this list and its response back up it; a
# middleware that answers early (static files, a cached page) skips everything below it.
MIDDLEWARE = [
    # First, so every response gets the HTTPS redirect and security headers, even one answered
    # early by a middleware below (static files, cached pages).
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below), on every response.
    "magazine.security.ContentSecurityPolicyMiddleware",
    # Static files, answered before any session, cache or database is touched.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Opens the request's cache batch before anything reads the cache, and fetches the view's
    # entries with the session in one round trip (process_view) before the view runs. Outside
    # the session middleware, so the session is loaded from the batch and saved while it lives.
    "caching.batch.RequestBatchMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Inside sessions: every response that read the session is marked private (Vary: Cookie),
    # and the account pages, which show secrets, no-store.
    "caching.headers.PrivateResponseMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Outside the page cache: a replayed page's forms get a fresh token, and this sets its cookie.
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Answers a visitor who is nobody in particular (no session, messages or gift) from the
    # shared cache. Below sessions, CSRF and messages, which it needs; above everything that only
    # matters to someone in particular (allauth's state, session activity, the reader).
    "caching.pages.AnonymousPageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Stamps a logged-in session after the view, which may have logged the reader in or out.
    "accounts.middleware.SessionActivityMiddleware",
    # Innermost: puts the lazy `request.reader` on the request for the view, and marks private
    # whatever response was shaped by it.
    "paywall.middleware.ReaderMiddleware",
]

ROOT_URLCONF = "magazine.urls"
WSGI_APPLICATION = "magazine.wsgi.application"

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
                "magazine.pages.context_processors.site",
            ],
        },
    },
]

FORM_RENDERER = "magazine.pages.forms.FormRenderer"

# Databases ---------------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # No JIT: its compile time (hundreds of milliseconds) is spent on exactly the short queries
    # a web page makes whenever the planner overestimates one; it pays off only on long reports.
    options["options"] = "-c jit=off"
    # A database that does not answer is given up on quickly: the reader gets a "try again"
    # page in seconds rather than a worker held for as long as the network likes.
    options["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 2)
    if env_bool("DATABASE_POOL", default=True):
        # psycopg's pool replaces persistent connections (Django requires CONN_MAX_AGE=0 with it).
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        # With a pool, Django has the pool check each connection as it hands it out
        # (ConnectionPool.check_connection): after a restart of the database its old
        # connections are dropped, not given to a request to fail with.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        options["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 8),
            # How long a request waits for a connection before the "try again" page (503).
            "timeout": env_float("DATABASE_POOL_TIMEOUT", 2.5),
            # The pool retries a lost connection with growing pauses; giving up after a few
            # seconds lets the next request try at once, so the site is back within seconds of
            # the database.
            "reconnect_timeout": 3,
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and sessions ------------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
# Every process — app servers, the task worker, management commands — shares one cache, so a
# change made through any of them is seen by the next request everywhere: Redis when REDIS_URL
# is set, else a table in the database. Either may fail: the backends in caching.backends then
# run the site from the database (see docs/operations.md). Rate-limit counters (allauth's, and
# the share form's) are counted in each process's memory while the cache is away.
CACHE_FALLBACK_PREFIXES = ["allauth:rl:", "sharing:sent:"]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "caching.backends.FaultTolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "magazine"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "FALLBACK_PREFIXES": CACHE_FALLBACK_PREFIXES,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "caching.backends.FaultTolerantDatabaseCache",
            "LOCATION": "cache_entries",
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "magazine"),
            "OPTIONS": {"MAX_ENTRIES": 50_000, "FALLBACK_PREFIXES": CACHE_FALLBACK_PREFIXES},
        }
    }

# Remember me: a remembered login keeps a persistent cookie for SESSION_COOKIE_AGE; any other
# session (not remembered, or from a way of logging in that does not ask) ends when the browser
# closes, and on the server after SESSION_IDLE_TIMEOUT without activity.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 24 * 60 * 60)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Accounts ----------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.CachedModelBackend",
    "accounts.backends.CachedAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# Views whose pages show secrets (the private feed's address, devices, email addresses): no
# cache may store them, not even the browser's (caching.headers.PrivateResponseMiddleware).
SECRET_VIEW_MODULES = ["accounts.views", "allauth."]
LOGIN_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_SESSION_REMEMBER = None  # ask: the "Remember me" checkbox
ACCOUNT_LOGIN_BY_CODE_ENABLED = env_bool("ACCOUNT_LOGIN_BY_CODE_ENABLED", default=True)
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 0)
USERSESSIONS_TRACK_ACTIVITY = False

# Email -------------------------------------------------------------------------------------------

# Email goes out by SMTP (EMAIL_HOST…), or through an email provider's API when EMAIL_PROVIDER
# names one; ANYMAIL_API_KEY is then its key. Any other setting of django-anymail's is read from
# the variable of the name anymail gives it (ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY,
# ANYMAIL_MAILJET_SECRET_KEY, ANYMAIL_POSTAL_API_URL…). Amazon SES takes AWS's own variables.
EMAIL_PROVIDER_KEYS = {
    "postmark": "POSTMARK_SERVER_TOKEN",
    "mailgun": "MAILGUN_API_KEY",
    "sendgrid": "SENDGRID_API_KEY",
    "amazon_ses": None,
    "brevo": "BREVO_API_KEY",
    "mailjet": "MAILJET_API_KEY",
    "resend": "RESEND_API_KEY",
    "sparkpost": "SPARKPOST_API_KEY",
    "postal": "POSTAL_API_KEY",
}
EMAIL_PROVIDER = env_str("EMAIL_PROVIDER").lower()
if EMAIL_PROVIDER and EMAIL_PROVIDER not in EMAIL_PROVIDER_KEYS:
    raise ImproperlyConfigured(f"EMAIL_PROVIDER must be one of {', '.join(EMAIL_PROVIDER_KEYS)}.")
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and name not in {"ANYMAIL_API_KEY", "ANYMAIL_WEBHOOK_SECRET"}
}
if EMAIL_PROVIDER_KEYS.get(EMAIL_PROVIDER):
    ANYMAIL[EMAIL_PROVIDER_KEYS[EMAIL_PROVIDER]] = env_str("ANYMAIL_API_KEY")
# The provider reports bounces and complaints to /anymail/<provider>/tracking/ with this
# "user:password" (several, comma-separated, while changing it); without one, webhooks are off.
ANYMAIL["WEBHOOK_SECRET"] = env_list("ANYMAIL_WEBHOOK_SECRET")

if EMAIL_PROVIDER:
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend"
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", EMAIL_BACKEND)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
# Seconds to wait on the mail server before the attempt counts as failed (and is retried).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "The Magazine Rack <hello@example.com>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The key of the hashes the suppression list keeps in place of addresses (outbox.suppression);
# empty: SECRET_KEY, with SECRET_KEY_FALLBACKS still recognised. A key of its own never rotates,
# so the list outlives a change of SECRET_KEY for good rather than while the fallback is kept.
EMAIL_SUPPRESSION_KEY = env_str("EMAIL_SUPPRESSION_KEY")

# Background tasks: run at once in development; in production a worker runs them from the
# database (`python manage.py db_worker`). TASK_BACKEND=immediate|database overrides.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[env_str("TASK_BACKEND", "immediate" if DEBUG else "database")]
    }
}
# Attempts at sending one email before it is given up (with growing pauses between them).
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5)

# Newsletters -------------------------------------------------------------------------------------

# The newsletter clock's tick: a published article's emails start within this many seconds.
NEWSLETTER_TICK_SECONDS = env_int("NEWSLETTER_TICK_SECONDS", 20)
# Seconds one tick spends handing messages to the mail server before the next tick goes on.
NEWSLETTER_SEND_SECONDS = env_int("NEWSLETTER_SEND_SECONDS", 30)
# Messages a second handed to the mail server at most (0: no limit): most providers set one.
NEWSLETTER_RATE_PER_SECOND = env_int("NEWSLETTER_RATE_PER_SECOND", 20)
# An article published longer ago than this (say, backdated) is not emailed.
NEWSLETTER_SEND_WITHIN_DAYS = env_int("NEWSLETTER_SEND_WITHIN_DAYS", 2)
# Digests go out at this hour (site time), weekly ones on this day (0 = Monday).
NEWSLETTER_DIGEST_HOUR = env_int("NEWSLETTER_DIGEST_HOUR", 7)
NEWSLETTER_WEEKLY_DAY = env_int("NEWSLETTER_WEEKLY_DAY", 0)
NEWSLETTER_PAUSE_DAYS = 30
NEWSLETTER_CONFIRM_DAYS = 7
NEWSLETTER_SIGNUPS_PER_HOUR_PER_IP = env_int("NEWSLETTER_SIGNUPS_PER_HOUR_PER_IP", 10)
# Where mail clients write to unsubscribe by email (default: unsubscribe@ the sender's domain);
# the email provider's inbound webhook brings those messages to /anymail/<provider>/inbound/.
NEWSLETTER_UNSUBSCRIBE_ADDRESS = env_str("NEWSLETTER_UNSUBSCRIBE_ADDRESS")

# Static and media files --------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded images are served by Django itself unless a web server or CDN in front does it.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security ----------------------------------------------------------------------------------------

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer's health check may come over plain HTTP, from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Preloading is a commitment only the site's owner can make (hstspreload.org): off unless asked,
# and so the deployment check's reminder to turn it on (security.W021) is silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only the site's own scripts, styles, fonts and images run or load (no inline script or style:
# publication colours come from /accents.css); no page may be framed; forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Internationalisation ----------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Logging: everything of WARNING and above to stderr, where gunicorn and the worker collect it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Magazine ----------------------------------------------------------------------------------------

# Paywall: how long access lasts past a subscription's end date.
PAYWALL_GRACE_DAYS = env_int("PAYWALL_GRACE_DAYS", 7)
# Digital editions (the printed issues as PDFs): kept here, outside MEDIA_ROOT, and handed over
# by Django, or by the front server: "nginx" (X-Accel-Redirect to EDITIONS_INTERNAL_URL, an
# `internal` location aliased to EDITIONS_ROOT) or "apache" (X-Sendfile).
EDITIONS_ROOT = Path(env_str("EDITIONS_ROOT") or BASE_DIR / "editions")
EDITIONS_SERVED_BY = env_str("EDITIONS_SERVED_BY") or "django"
EDITIONS_INTERNAL_URL = env_str("EDITIONS_INTERNAL_URL") or "/protected-editions/"
# Each reader gets their own copy, every page stamped "Licensed to <email> on <date>", made on
# their first request and kept beside the editions (stamped/), so a front server sends it too.
EDITIONS_STAMPED = env_bool("EDITIONS_STAMPED", default=False)
# Web accounts one print subscription may be linked to (a household).
PRINT_HOUSEHOLD_SEATS = env_int("PRINT_HOUSEHOLD_SEATS", 2)
# Sampling (each publication's free articles a month are set in its admin page): free articles
# across all publications together in any 30 days (0: no cap beyond each publication's).
PAYWALL_SAMPLING_SITE_CAP = env_int("PAYWALL_SAMPLING_SITE_CAP", 0)
# Free articles a day that visitors without an account on one network (/24, IPv6 /48) may
# start, all together (0: no cap). Personal data: the network is kept as a keyed hash, salted
# with the day, in the cache for 24 hours.
PAYWALL_SAMPLING_PER_NETWORK_PER_DAY = env_int("PAYWALL_SAMPLING_PER_NETWORK_PER_DAY", 0)

# Paragraphs shown as the teaser when the editor has not placed a <!-- more --> break.
MAGAZINE_TEASER_PARAGRAPHS = env_int("MAGAZINE_TEASER_PARAGRAPHS", 2)
MAGAZINE_PAGE_SIZE = env_int("MAGAZINE_PAGE_SIZE", 12)
# Pages for visitors with no session are rendered once and served to all of them for this long
# (0: never); fragments of pages for everyone else are cached for MAGAZINE_FRAGMENT_CACHE_SECONDS.
MAGAZINE_PAGE_CACHE_SECONDS = env_int("MAGAZINE_PAGE_CACHE_SECONDS", 60)
MAGAZINE_FRAGMENT_CACHE_SECONDS = env_int("MAGAZINE_FRAGMENT_CACHE_SECONDS", 300)

# Sharing: "Send this to a friend" and gift links.
# Who may send: logged-in readers only, unless anonymous senders are allowed (with stricter limits).
SHARING_ALLOW_ANONYMOUS = env_bool("SHARING_ALLOW_ANONYMOUS", default=False)
# Friends one share may go to, and the longest personal note.
SHARING_MAX_RECIPIENTS = env_int("SHARING_MAX_RECIPIENTS", 5)
SHARING_ANONYMOUS_MAX_RECIPIENTS = env_int("SHARING_ANONYMOUS_MAX_RECIPIENTS", 1)
SHARING_NOTE_MAX_LENGTH = env_int("SHARING_NOTE_MAX_LENGTH", 500)
# Emails a sender, an IP address, and anonymous senders from one IP address may send per hour.
SHARING_EMAILS_PER_HOUR_PER_USER = env_int("SHARING_EMAILS_PER_HOUR_PER_USER", 10)
SHARING_EMAILS_PER_HOUR_PER_IP = env_int("SHARING_EMAILS_PER_HOUR_PER_IP", 20)
SHARING_ANONYMOUS_EMAILS_PER_HOUR_PER_IP = env_int("SHARING_ANONYMOUS_EMAILS_PER_HOUR_PER_IP", 3)
# Gift links: how long one opens its article, and how many a subscriber may give per month.
SHARING_GIFT_DAYS = env_int("SHARING_GIFT_DAYS", 7)
SHARING_GIFTS_PER_MONTH = env_int("SHARING_GIFTS_PER_MONTH", 10)

# Comments: site-wide rules (who may comment and how comments are moderated are set per
# publication in the admin).
# Comments close this many days after an article is published (0: never).
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 90)
# How deep replies nest: 1 allows no replies, 5 allows replies to replies four levels down.
COMMENTS_MAX_DEPTH = env_int("COMMENTS_MAX_DEPTH", 5)
# How long after posting a reader may still edit their comment.
COMMENTS_EDIT_MINUTES = env_int("COMMENTS_EDIT_MINUTES", 15)
# The shortest pause between two comments by the same reader.
COMMENTS_MIN_INTERVAL_SECONDS = env_int("COMMENTS_MIN_INTERVAL_SECONDS", 15)
# At most this many comments per reader, and from one IP address, in COMMENTS_RATE_WINDOW_MINUTES.
COMMENTS_RATE_LIMIT_PER_USER = env_int("COMMENTS_RATE_LIMIT_PER_USER", 10)
COMMENTS_RATE_LIMIT_PER_IP = env_int("COMMENTS_RATE_LIMIT_PER_IP", 30)
COMMENTS_RATE_WINDOW_MINUTES = env_int("COMMENTS_RATE_WINDOW_MINUTES", 60)
# A comment with this many links or more waits for a moderator, whoever wrote it.
COMMENTS_HOLD_LINKS = env_int("COMMENTS_HOLD_LINKS", 2)
# The longest comment, in characters.
COMMENTS_MAX_LENGTH = env_int("COMMENTS_MAX_LENGTH", 5000)
# Conversations (top-level comments with their replies) per page under an article.
COMMENTS_PAGE_SIZE = env_int("COMMENTS_PAGE_SIZE", 20)

# Site search on PostgreSQL: the text search configuration (the language whose stemming and stop
# words apply). After changing it, run `python manage.py update_search_index`.
MAGAZINE_SEARCH_CONFIG = env_str("MAGAZINE_SEARCH_CONFIG", "english")
# On PostgreSQL, how many of the most recent matches are ranked for relevance (and counted).
MAGAZINE_SEARCH_CANDIDATES = env_int("MAGAZINE_SEARCH_CANDIDATES", 400)
# Articles in each RSS and Atom feed.
MAGAZINE_FEED_ITEMS = env_int("MAGAZINE_FEED_ITEMS", 20)

# Billing: readers pay for subscriptions themselves. The provider: "stripe", "test" (a checkout
# of our own where no money moves: development and demos) or "manual" (staff record payments
# made by cheque or phone; the subscribe page shows the publication's own instructions).
BILLING_PROVIDER = env_str("BILLING_PROVIDER", "test" if DEBUG else "manual")
if BILLING_PROVIDER not in ("stripe", "test", "manual"):
    raise ImproperlyConfigured("BILLING_PROVIDER must be stripe, test or manual.")
BILLING_TEST_PROVIDER_ALLOWED = env_bool("BILLING_TEST_PROVIDER_ALLOWED", default=False)
if BILLING_PROVIDER == "test" and not DEBUG and not BILLING_TEST_PROVIDER_ALLOWED:
    raise ImproperlyConfigured(
        "The test billing provider takes no money: with DEBUG off it runs only when "
        "BILLING_TEST_PROVIDER_ALLOWED=true (a staging site, say)."
    )
BILLING_CURRENCY = env_str("BILLING_CURRENCY", "usd").lower()
# How far ahead a gift may be dated, in days; and redemption attempts allowed per reader and
# per IP address each hour (a code has 80 bits: the limit is against pests, not guessing).
BILLING_GIFT_MAX_DAYS_AHEAD = env_int("BILLING_GIFT_MAX_DAYS_AHEAD", 365)
BILLING_REDEEM_ATTEMPTS_PER_HOUR = env_int("BILLING_REDEEM_ATTEMPTS_PER_HOUR", 10)
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
# Another address for Stripe's API (the tests' stand-in for it); empty: Stripe's own.
STRIPE_API_BASE = env_str("STRIPE_API_BASE")
# Who hears of what staff must act on (a disputed payment, a duplicate subscription).
MANAGERS = [("Staff", address) for address in env_list("MANAGERS")]

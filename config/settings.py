"""LifeCircle settings, read from the environment.

Every setting that differs between a laptop and production comes from a ``LIFECIRCLE_*``
variable. The defaults are the embedded mode: SQLite in ``./data`` and the in-memory channel
layer, so ``make run`` needs no services. Production sets ``LIFECIRCLE_DEBUG=0``, a secret
key, allowed hosts, PostgreSQL and Redis; with debug off the HTTPS hardening below switches on
and ``manage.py check --deploy --fail-level WARNING`` passes.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"LIFECIRCLE_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "data")))

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-for-production-0123456789"
SECRET_KEY = env("SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not SECRET_KEY:
    raise RuntimeError("LIFECIRCLE_SECRET_KEY must be set when LIFECIRCLE_DEBUG=0")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "ninja",
    "lifecircle.core",
    "lifecircle.realtime",
    "lifecircle.accounts",
    "lifecircle.social",
    "lifecircle.notifications",
    "lifecircle.feed",
    "lifecircle.chat",
    "lifecircle.wallet",
    "lifecircle.live",
    "lifecircle.redpackets",
    "lifecircle.collect",
    "lifecircle.ious",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lifecircle.core.api_errors.ApiErrorShapeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lifecircle.core.i18n.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

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
                "lifecircle.core.i18n.languages_context",
                "lifecircle.notifications.views.unread_context",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'lifecircle.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing
        # with "database is locked" half-way through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
else:
    # Under ASGI every request runs in its own thread, so persistent connections
    # (CONN_MAX_AGE > 0) pile up; a pool (psycopg-pool, Django 5.1+) reuses a bounded set per
    # process instead. LIFECIRCLE_DB_POOL_MAX=0 opens a new connection per request.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    _pool_max = int(env("DB_POOL_MAX", "0") or 0)
    if _pool_max:
        DATABASES["default"]["OPTIONS"] = {
            **DATABASES["default"].get("OPTIONS", {}),
            "pool": {"min_size": min(2, _pool_max), "max_size": _pool_max, "timeout": 10},
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ---------------------------------------------------------
REDIS_URL = env("REDIS_URL")
REDIS_PREFIX = env("REDIS_PREFIX", "lifecircle")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env("REDIS_PREFIX", "lifecircle")},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("REDIS_PREFIX", "lifecircle"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["lifecircle.accounts.backends.UsernameOrMobileBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Fernet keys (urlsafe base64, 32 bytes) for data encrypted at rest, newest first; old keys
# stay listed until `manage.py rotate_encryption` has re-encrypted every value.
_DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UtISE="
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", _DEV_FIELD_KEY if DEBUG else "")
if not FIELD_ENCRYPTION_KEYS:
    raise RuntimeError("LIFECIRCLE_FIELD_ENCRYPTION_KEYS must be set when LIFECIRCLE_DEBUG=0")
# Key of the keyed hashes that make encrypted values unique (one ID number, one account). It
# does not rotate with the encryption keys: changing it means recomputing every fingerprint.
FIELD_FINGERPRINT_KEY = env("FIELD_FINGERPRINT_KEY", "dev-only-fingerprint-key" if DEBUG else None)
if not FIELD_FINGERPRINT_KEY:
    raise RuntimeError("LIFECIRCLE_FIELD_FINGERPRINT_KEY must be set when LIFECIRCLE_DEBUG=0")

# Product limits: every limit is a setting with the product's default.
LIFECIRCLE = {
    "LOGIN_MAX_FAILURES": int(env("LOGIN_MAX_FAILURES", "10")),
    "LOGIN_FAILURE_WINDOW_SECONDS": int(env("LOGIN_FAILURE_WINDOW_SECONDS", str(15 * 60))),
    "PIN_MAX_FAILURES": int(env("PIN_MAX_FAILURES", "5")),
    "PIN_LOCK_SECONDS": int(env("PIN_LOCK_SECONDS", str(3 * 60 * 60))),
    "AVATAR_MAX_BYTES": int(env("AVATAR_MAX_BYTES", str(5 * 1024 * 1024))),
    "AVATAR_SIZE": 512,
    "AVATAR_THUMB_SIZE": 96,
    "API_TOKENS_PER_USER": 20,
    "FRIEND_REQUEST_TTL_DAYS": int(env("FRIEND_REQUEST_TTL_DAYS", "7")),
    "FRIEND_REQUESTS_PER_DAY": int(env("FRIEND_REQUESTS_PER_DAY", "50")),
    "FRIEND_LINK_TTL_DAYS": int(env("FRIEND_LINK_TTL_DAYS", "7")),
    "GROUP_MAX_MEMBERS": int(env("GROUP_MAX_MEMBERS", "500")),
    "POST_IMAGE_MAX_BYTES": int(env("POST_IMAGE_MAX_BYTES", str(10 * 1024 * 1024))),
    "POST_IMAGE_SIZE": 2048,
    "POST_THUMB_SIZE": 360,
    "CHAT_TEXT_MAX": 5000,
    "CHAT_RECALL_SECONDS": 120,
    "CHAT_BURN_SECONDS": (5, 10, 30, 60),
    "CHAT_BURN_UNOPENED_SECONDS": 24 * 3600,
    "CHAT_IMAGE_MAX_BYTES": int(env("CHAT_IMAGE_MAX_BYTES", str(10 * 1024 * 1024))),
    # Wallet (PRODUCT.md "Wallet"): password-free payments are each <= ¥1, <= ¥50 and <= 200 a day.
    "WALLET_MICROPAY_MAX_FEN": int(env("WALLET_MICROPAY_MAX_FEN", "100")),
    "WALLET_MICROPAY_DAILY_FEN": int(env("WALLET_MICROPAY_DAILY_FEN", "5000")),
    "WALLET_MICROPAY_DAILY_COUNT": int(env("WALLET_MICROPAY_DAILY_COUNT", "200")),
    "WALLET_IDEMPOTENCY_TTL_SECONDS": int(env("WALLET_IDEMPOTENCY_TTL_SECONDS", str(48 * 60 * 60))),
    "WALLET_IDEMPOTENCY_STALE_SECONDS": int(env("WALLET_IDEMPOTENCY_STALE_SECONDS", "120")),
    "WALLET_HOT_SHARDS": int(env("WALLET_HOT_SHARDS", "16")),
    "WALLET_PAYMENT_PROVIDER": env("WALLET_PAYMENT_PROVIDER", "lifecircle.wallet.providers.SandboxProvider"),
    # Live (PRODUCT.md "Live"): danmaku <= 100 characters, 1 per 2 s per viewer with a burst of 3.
    "LIVE_DANMAKU_MAX_CHARS": 100,
    "LIVE_DANMAKU_RATE_SECONDS": float(env("LIVE_DANMAKU_RATE_SECONDS", "2")),
    "LIVE_DANMAKU_BURST": int(env("LIVE_DANMAKU_BURST", "3")),
    "LIVE_TICK_SECONDS": float(env("LIVE_TICK_SECONDS", "0.1")),
    # Danmaku a slow viewer may have waiting before the oldest are dropped.
    "LIVE_VIEWER_BACKLOG": int(env("LIVE_VIEWER_BACKLOG", "200")),
    # Bytes waiting on a viewer's socket that make it slow (it catches up below a quarter).
    "LIVE_SLOW_VIEWER_BYTES": int(env("LIVE_SLOW_VIEWER_BYTES", str(256 * 1024))),
    # One word or phrase per line; empty: the built-in list (lifecircle/live/blocked_words.txt).
    "LIVE_BLOCKED_WORDS_FILE": env("LIVE_BLOCKED_WORDS_FILE", ""),
    # "hub" (one subscription per process, a merged frame per tick) or "group_send" (Channels'
    # per-member groups: the benchmark's baseline).
    "LIVE_FANOUT": env("LIVE_FANOUT", "hub"),
    # Gift amounts a viewer may send (the first three are the one-tap buttons; the rest need
    # the PIN past the password-free limit).
    "LIVE_GIFT_AMOUNTS_FEN": (10, 50, 100, 500, 1000, 5000),
    # Where locally made streams (the demo's HLS segments) live; served at /live/hls/<name>/.
    "LIVE_MEDIA_DIR": env("LIVE_MEDIA_DIR", str(DATA_DIR / "live")),
    # Money among friends (PRODUCT.md): red packets <= ¥200, returned when unclaimed after 24 h.
    "RED_PACKET_MAX_FEN": int(env("RED_PACKET_MAX_FEN", "20000")),
    "RED_PACKET_EXPIRY_SECONDS": int(env("RED_PACKET_EXPIRY_SECONDS", str(24 * 3600))),
    "COLLECTION_REMIND_AFTER_SECONDS": int(env("COLLECTION_REMIND_AFTER_SECONDS", str(24 * 3600))),
    "PAY_REQUEST_EXPIRY_SECONDS": int(env("PAY_REQUEST_EXPIRY_SECONDS", str(24 * 3600))),
    # IOUs: the annual rate is capped at 4 x the one-year LPR (in basis points: 300 = 3.00 %).
    "IOU_LPR_1Y_BP": int(env("IOU_LPR_1Y_BP", "300")),
    "IOU_RATE_CAP_MULTIPLE": int(env("IOU_RATE_CAP_MULTIPLE", "4")),
    # Background sweeps (lifecircle/core/sweeps.py) in each server process; 0 when a worker
    # runs ``manage.py sweep --loop`` instead.
    "SWEEP_IN_SERVER": env_bool("SWEEP_IN_SERVER", True),
    # Run every sweep this often instead of at its own interval (5 s to 5 min); unset: their own.
    "SWEEP_EVERY_SECONDS": float(env("SWEEP_EVERY_SECONDS", "0") or 0),
}

# PINs are 6 digits, so their strength is the lockout, not the hash; argon2 with a smaller
# memory cost keeps a payment fast (OWASP's argon2id minimum: m=19 MiB, t=2, p=1).
PIN_ARGON2 = {
    "time_cost": int(env("PIN_ARGON2_TIME_COST", "2")),
    "memory_cost": int(env("PIN_ARGON2_MEMORY_KIB", "19456")),
    "parallelism": 1,
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- languages ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

# --- static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
# The app serves /media/ itself in embedded mode; behind a web server set this to 0.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
# Burn-after-reading keys (Redis when configured, else files here): never in the database.
BURN_KEY_DIR = Path(env("BURN_KEY_DIR", str(DATA_DIR / "burn-keys")))
BURN_KEY_PREFIX = env("REDIS_PREFIX", "lifecircle")
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

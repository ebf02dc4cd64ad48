"""Settings, all from the environment.

Unset variables fall back to embedded defaults (a SQLite file, the in-memory channel
layer, tasks run in-process) so `make run` needs nothing but Python. Bad values fail at
start-up rather than at the first request.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def _flag(name, default):
    """django-environ reads any unknown word as False; a typo here must stop the start."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


DEBUG = _flag("DEBUG", False)


def _secret(name, dev_default):
    """A secret from NAME or NAME_FILE; only a development machine may go without."""
    value = env.str(name, default="") or _read_secret_file(name)
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set when DEBUG is off")


def _read_secret_file(name):
    path = env.str(f"{name}_FILE", default="")
    if not path:
        return ""
    try:
        return Path(path).read_text().strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc}") from exc


SECRET_KEY = _secret("SECRET_KEY", "dev-only-insecure-secret-key-do-not-deploy")
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
# django-fernet-encrypted-fields derives its Fernet key from SECRET_KEY and SALT_KEY;
# a comma-separated list rotates keys (the first encrypts, all decrypt).
SALT_KEY = [
    key.strip()
    for key in _secret("FIELD_ENCRYPTION_KEY", "dev-only-field-encryption-key").split(",")
    if key.strip()
]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "inbox",
    "connectors",
    "agents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "agents.middleware.AgentPreferences",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "socialcare.urls"
ASGI_APPLICATION = "socialcare.asgi.application"
WSGI_APPLICATION = "socialcare.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'socialcare.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default=None)}
EMBEDDED_DATABASE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis carries the channel layer and the Celery broker; without it everything stays in
# this one process, which is what the local demo wants and what production must not use.
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_PREFIX = env.str("REDIS_PREFIX", default="socialcare")
EMBEDDED = not REDIS_URL

if EMBEDDED:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{REDIS_PREFIX}:asgi"},
        }
    }

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = EMBEDDED
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the longest task and the longest retry countdown, so an unacked task
    # comes back only when its worker is really gone.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often a worker looks for tasks whose worker died (kombu's default is every 100 s).
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": 1,
    "global_keyprefix": f"{REDIS_PREFIX}:celery:",
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "poll-due-channels": {"task": "connectors.poll_due_channels", "schedule": timedelta(seconds=5)},
    "sla-sweep": {"task": "inbox.sla_sweep", "schedule": timedelta(seconds=15)},
    "assignment-sweep": {"task": "agents.assignment_sweep", "schedule": timedelta(minutes=1)},
    "crisis-watch": {"task": "agents.crisis_watch", "schedule": timedelta(minutes=1)},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox:home"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Collected files (docker-compose runs collectstatic) are served when present; without them
# files come straight from the apps, so `make run` and the tests need no build step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _flag("SECURE_COOKIES", not DEBUG and not EMBEDDED_DATABASE)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "socialcare.api_errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_RATE", default="1200/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SocialCare API",
    "DESCRIPTION": "Conversations, messages, contacts, channels, teams, agents and SLA metrics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # One line per task run drowns everything else.
    # httpx logs every URL at INFO, query strings (tokens, proofs) included.
    "loggers": {"celery.app.trace": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}

# How long a connector waits for a network before calling the attempt failed.
CONNECTOR_TIMEOUT = env.float("CONNECTOR_TIMEOUT_SECONDS", default=10.0)

# Routing and assignment.
OPINION_LEADER_FOLLOWERS = env.int("OPINION_LEADER_FOLLOWERS", default=10_000)
OFFLINE_REQUEUE_AFTER = timedelta(minutes=env.int("OFFLINE_REQUEUE_MINUTES", default=15))
UNANSWERED_REASSIGN_AFTER = timedelta(minutes=env.int("UNANSWERED_REASSIGN_MINUTES", default=45))
# Crisis: negative mentions in the window against their usual rate over the baseline.
CRISIS_WINDOW = timedelta(minutes=env.int("CRISIS_WINDOW_MINUTES", default=15))
CRISIS_BASELINE = timedelta(hours=env.int("CRISIS_BASELINE_HOURS", default=24))
CRISIS_FACTOR = env.float("CRISIS_FACTOR", default=3.0)
CRISIS_MIN_MENTIONS = env.int("CRISIS_MIN_MENTIONS", default=10)

# How often an agent's page must say it is alive to count as online.
PRESENCE_TIMEOUT = timedelta(seconds=env.int("PRESENCE_TIMEOUT_SECONDS", default=90))

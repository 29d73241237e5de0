"""The one settings module. Everything that differs between machines comes from the
environment (docs/configuration.md lists every variable)."""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from kombu import Queue

from . import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env.directory("VAR_DIR", Path("var"), BASE_DIR)

DEBUG = env.flag("DEBUG", False)
SECRET_KEY = env.text("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise env.ConfigError("SECRET_KEY", "must be set when DEBUG is 0 (production)")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production-0123456789"
ALLOWED_HOSTS = env.csv_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"], allow_empty=False
)
CSRF_TRUSTED_ORIGINS = env.csv_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS=1 behind TLS; unset, plain-HTTP local use works.
HTTPS = env.flag("HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere (docs/security.md): scripts and styles come from our own
# static files; htmx runs without eval (htmx-config in base.html). Photos shown before upload
# are blob: URLs; charts are inline SVG (attributes, not styles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The camera and the position serve the street's blow form on a phone; nothing else is used.
PERMISSIONS_POLICY = (
    "camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), serial=(), "
    "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), interest-cohort=()"
)
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 60 * 60

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "csp",
    "template_partials",
    "core",
    "accounts",
    "notifications",
    "whistle",
    "dispatch",
    "powers",
    "evaluation",
    "hotline",
    "community",
]

MIDDLEWARE = [
    # first: a body larger than any form or upload may be is refused before it is read
    "config.middleware.BodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PrivacyHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into its answer
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.navigation",
                "notifications.context_processors.unread",
                "community.context_processors.frontline",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", VAR_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # first: refuses a locked-out username or address before any password is checked
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Sign-in (django-axes, docs/security.md): every sign-in path (the page, /admin/, the token
# endpoint) counts failed attempts per username and, separately, per address; past the limit
# both are locked for the cool-off. A right password is never throttled and clears the
# username's failures. Addresses: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front,
# X-Forwarded-For as they set it (a header a client sends directly is not believed).
AXES_FAILURE_LIMIT = env.integer("SIGNIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("SIGNIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.auth_views.locked_out"
AXES_VERBOSE = False
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "accounts.auth_views.client_address"
# API tokens live this long after they were issued, and die on sign-out.
API_TOKEN_HOURS = env.integer("API_TOKEN_HOURS", 12, minimum=1)

# No anonymous user row: every permission question is asked of a signed-in person.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start without it
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names need collectstatic first; tests and DEBUG use plain names.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.flag("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

REDIS_URL = env.url("REDIS_URL", ("redis", "rediss"))
# The cache may live in its own Redis database (CACHE_URL), away from the queue: a cache.clear()
# empties the whole database it is in.
CACHE_URL = env.url("CACHE_URL", ("redis", "rediss")) or REDIS_URL
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "chuishao",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Celery: Redis when REDIS_URL is set, else the filesystem broker under VAR_DIR.
CELERY_BROKER_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = (
    env.url("CELERY_BROKER_URL", ("redis", "rediss", "filesystem")) or REDIS_URL or "filesystem://"
)
if CELERY_BROKER_URL.startswith("filesystem"):
    _queue_dir = CELERY_BROKER_DIR / "queue"
    _control_dir = CELERY_BROKER_DIR / "control"
    for _d in (_queue_dir, _control_dir):
        _d.mkdir(parents=True, exist_ok=True)
    # One absolute folder for in and out: the broker and its worker must agree on it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
    (CELERY_BROKER_DIR / "results").mkdir(parents=True, exist_ok=True)
else:
    # Redis hands an unacknowledged task out again after this long. It must exceed the
    # longest ETA we schedule, or Redis redelivers the task every cycle; long waits belong
    # to the overdue sweep, not to ETAs.
    # "priority": a worker takes from its queues in the order CELERY_TASK_QUEUES declares
    # them (the sweep, then timers and the rest, then outside deliveries), not in turn: a
    # flood of emails never delays a mark (measured: docs/benchmarks.md).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "queue_order_strategy": "priority",
    }
    CELERY_RESULT_BACKEND = REDIS_URL or CELERY_BROKER_URL
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ACKS_LATE = True  # a task a dying worker held is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # ... also when only the pool child dies
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A starting worker asks the others for their revoked tasks and waits a second for answers
# (mingle). The platform revokes nothing, and after a crash that second is a second more before
# the start-up sweep marks what fell due meanwhile: off unless asked for (config/celery.py).
WORKER_MINGLE = env.flag("WORKER_MINGLE", False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that a request without credentials answers 401, not 403.
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "吹哨报到 API",
    "DESCRIPTION": "街乡吹哨、部门报到: whistles, check-ins and the organisation of Beijing.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Served from the installed sidecar package: the docs work without internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # request bodies have components of their own: required text says minLength 1 there
    "COMPONENT_SPLIT_REQUEST": True,
    # the error answers of every operation (config/schema.py), after the enums are named
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.bound_ids",
        "config.schema.json_bodies",
        "config.schema.empty_queries",
        "config.schema.text_fields",
        "config.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StreetKindEnum": "accounts.choices.StreetKind",
        "DepartmentKindEnum": "accounts.choices.DepartmentKind",
        "WhistleKindEnum": "whistle.choices.WhistleKind",
        "WhistleStatusEnum": "whistle.choices.WhistleStatus",
        "CheckInStatusEnum": "dispatch.choices.CheckInStatus",
        "RecordKindEnum": "powers.choices.RecordKind",
        "PowerEnum": "accounts.choices.Power",
        "OrderStatusEnum": "powers.choices.OrderStatus",
        "RequestStatusEnum": "hotline.choices.RequestStatus",
        "EvaluationStatusEnum": "evaluation.choices.EvaluationStatus",
        "CategoryEnum": "whistle.choices.Category",
        "StewardKindEnum": "community.choices.StewardKind",
        "StaffKindEnum": "community.choices.StaffKind",
        "ReportCategoryEnum": "community.choices.ReportCategory",
        "ReportStatusEnum": "community.choices.ReportStatus",
        "UnitKindEnum": "community.choices.UnitKind",
        "SpaceKindEnum": "community.choices.SpaceKind",
        "NeedCategoryEnum": "community.choices.NeedCategory",
        "RegistrationStatusEnum": "community.choices.RegistrationStatus",
        "EndReasonEnum": "community.choices.EndReason",
        "CommitteeLevelEnum": "community.choices.CommitteeLevel",
        "ResourceCategoryEnum": "community.choices.ResourceCategory",
        "NeedSourceEnum": "community.choices.NeedSource",
        "SourceEnum": "community.choices.HouseholdSource",  # the name it had alone
        "ProjectStatusEnum": "community.choices.ProjectStatus",
        "DirectionEnum": "community.choices.Direction",
        "OfficeKindEnum": "accounts.choices.OfficeKind",
        "DutyRoleEnum": "accounts.choices.DutyRole",
        "CampaignRoleEnum": "accounts.choices.CampaignRole",
    },
}

# The reform's numbers.
WHISTLE_CHECKIN_DEADLINE_SECONDS = env.integer("WHISTLE_CHECKIN_DEADLINE_SECONDS", 1800)
DISPATCH_SWEEP_SECONDS = env.integer("DISPATCH_SWEEP_SECONDS", 10)
# With DEBUG=0, seed_demo refuses to run unless DEMO_PASSWORD is set: the demo has a superuser.
DEMO_PASSWORD_SET = env.text("DEMO_PASSWORD") is not None
DEMO_PASSWORD = env.text("DEMO_PASSWORD", "demo-pass-2026")
WHISTLE_PHOTO_MAX_BYTES = env.integer("WHISTLE_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
# /healthz allows this long without a sweep after the web process starts (beat may start later).
DISPATCH_SWEEP_GRACE_SECONDS = env.integer("DISPATCH_SWEEP_GRACE_SECONDS", 60)
# The powers (docs/powers.md): a supervision order's default deadline, and the time a
# department has to answer a personnel recommendation (both on the deadline engine).
POWERS_ORDER_DEFAULT_HOURS = env.integer("POWERS_ORDER_DEFAULT_HOURS", 72)
# a front-line report nobody touched (accepted, fixed or escalated) for this long is overdue
FRONTLINE_REPORT_UNTOUCHED_HOURS = env.integer("FRONTLINE_REPORT_UNTOUCHED_HOURS", 24, minimum=1)
# the yearly household-visit bar (年入户率), in percent
FRONTLINE_VISIT_BAR_PERCENT = env.integer("FRONTLINE_VISIT_BAR_PERCENT", 90, minimum=1)
POWERS_PERSONNEL_ANSWER_DAYS = env.integer("POWERS_PERSONNEL_ANSWER_DAYS", 15)
# Evaluation (docs/evaluation.md): the time a street has to evaluate a resolved whistle, and
# the weights of the department score's default formula (domain.md).
EVALUATION_WINDOW_HOURS = env.integer("EVALUATION_WINDOW_HOURS", 72)
# 接诉即办 (docs/hotline.md): the rates' formula and the ranking's rules (domain.md).
HOTLINE_RATE_WEIGHTS = {
    "response": env.number("HOTLINE_WEIGHT_RESPONSE", 0.1),
    "resolution": env.number("HOTLINE_WEIGHT_RESOLUTION", 0.5),
    "satisfaction": env.number("HOTLINE_WEIGHT_SATISFACTION", 0.4),
}
HOTLINE_BASIC_SATISFIED_WEIGHT = env.number("HOTLINE_BASIC_SATISFIED_WEIGHT", 0.9, maximum=1)
HOTLINE_RANK_MIN_CALLBACKS = env.integer("HOTLINE_RANK_MIN_CALLBACKS", 10)
# summonses a department needs in a period to be ranked among the district's departments (one
# no-show out of one summons should not put it last, nor one good arrival first)
EVALUATION_RANK_MIN_CHECK_INS = env.integer("EVALUATION_RANK_MIN_CHECK_INS", 3, minimum=1)
HOTLINE_ADVANCED_TOP = env.integer("HOTLINE_ADVANCED_TOP", 10)
HOTLINE_RECTIFY_BOTTOM = env.integer("HOTLINE_RECTIFY_BOTTOM", 10)
HOTLINE_IMPROVED_PLACES = env.integer("HOTLINE_IMPROVED_PLACES", 10)
HOTLINE_GOVERNANCE_TOP = env.integer("HOTLINE_GOVERNANCE_TOP", 10)
HOTLINE_GOVERNANCE_MONTHS = env.integer("HOTLINE_GOVERNANCE_MONTHS", 2)
EVALUATION_WEIGHTS = {
    "on_time": env.integer("EVALUATION_WEIGHT_ON_TIME", 40, minimum=0),
    "rating": env.integer("EVALUATION_WEIGHT_RATING", 45, minimum=0),
    "not_overdue": env.integer("EVALUATION_WEIGHT_NOT_OVERDUE", 15, minimum=0),
    "veto": env.integer("EVALUATION_WEIGHT_VETO", 10, minimum=0),
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The largest body a request may send, checked on Content-Length before anything is read: the
# photos a form may carry (at most PHOTOS_PER_FORM of WHISTLE_PHOTO_MAX_BYTES) and the rest.
PHOTOS_PER_FORM = 10
REQUEST_MAX_BYTES = env.integer(
    "REQUEST_MAX_BYTES", PHOTOS_PER_FORM * WHISTLE_PHOTO_MAX_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# The queues the platform routes to, declared: a worker started without -Q (the contract's
# `celery -A config worker`) consumes every one of them. A worker of its own per queue stays an
# option (docker-compose.yml's sweeper): `-Q sweep` keeps the sweep clear of any backlog.
# docs/deadlines.md, "Processes".
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue(name) for name in ("sweep", "celery", "notifications")]
CELERY_TASK_ROUTES = {
    "dispatch.sweep_overdue": {"queue": "sweep"},
    "notifications.sweep": {"queue": "sweep"},  # only queries and enqueues
    "notifications.deliver": {"queue": "notifications"},
    "notifications.deliver_many": {"queue": "notifications"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-overdue": {
        "task": "dispatch.sweep_overdue",
        "schedule": DISPATCH_SWEEP_SECONDS,
        # a sweep still queued when the next is due is dropped: never a backlog of sweeps
        "options": {"expires": DISPATCH_SWEEP_SECONDS},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},  # a line per sign-in otherwise; lockouts are warnings
    },
}

# Notifications (docs/notifications.md): in-app always; outside channels named here.
NOTIFICATIONS_CHANNELS = env.csv_list("NOTIFICATIONS_CHANNELS", ["inapp", "email"])
_known_channels = {"inapp", "email", "sms", "webhook", "wecom", "dingtalk"}
if set(NOTIFICATIONS_CHANNELS) - _known_channels:
    raise env.ConfigError(
        "NOTIFICATIONS_CHANNELS",
        f"names unknown channels {sorted(set(NOTIFICATIONS_CHANNELS) - _known_channels)}; "
        f"known: {', '.join(sorted(_known_channels))}",
    )
if "inapp" not in NOTIFICATIONS_CHANNELS:
    NOTIFICATIONS_CHANNELS.insert(0, "inapp")  # the row is the message: always on
_http = ("http", "https")
NOTIFICATIONS_SMS_URL = env.url("NOTIFICATIONS_SMS_URL", _http)
NOTIFICATIONS_SMS_TOKEN = env.text("NOTIFICATIONS_SMS_TOKEN", "")
NOTIFICATIONS_WEBHOOK_URL = env.url("NOTIFICATIONS_WEBHOOK_URL", _http)
NOTIFICATIONS_WEBHOOK_SECRET = env.text("NOTIFICATIONS_WEBHOOK_SECRET", "")
NOTIFICATIONS_WECOM_URL = env.url("NOTIFICATIONS_WECOM_URL", _http)
NOTIFICATIONS_DINGTALK_URL = env.url("NOTIFICATIONS_DINGTALK_URL", _http)
NOTIFICATIONS_DINGTALK_SECRET = env.text("NOTIFICATIONS_DINGTALK_SECRET", "")
for _channel, _url in (
    ("sms", NOTIFICATIONS_SMS_URL),
    ("webhook", NOTIFICATIONS_WEBHOOK_URL),
    ("wecom", NOTIFICATIONS_WECOM_URL),
    ("dingtalk", NOTIFICATIONS_DINGTALK_URL),
):
    if _channel in NOTIFICATIONS_CHANNELS and not _url:
        raise env.ConfigError(
            f"NOTIFICATIONS_{_channel.upper()}_URL",
            f"must be set when NOTIFICATIONS_CHANNELS names {_channel}",
        )
# kinds sent to the group robots and webhooks (empty: every kind)
NOTIFICATIONS_BROADCAST_KINDS = env.csv_list("NOTIFICATIONS_BROADCAST_KINDS", [])
# prefix of links in outside messages, e.g. https://whistle.example.org (unset: no links)
NOTIFICATIONS_SITE_URL = env.url("NOTIFICATIONS_SITE_URL", _http) or ""
NOTIFICATIONS_HTTP_TIMEOUT = env.integer("NOTIFICATIONS_HTTP_TIMEOUT", 10)
NOTIFICATIONS_MAX_ATTEMPTS = env.integer("NOTIFICATIONS_MAX_ATTEMPTS", 8)
NOTIFICATIONS_RETRY_SECONDS = env.integer("NOTIFICATIONS_RETRY_SECONDS", 30)  # doubles, max 30 min
NOTIFICATIONS_SWEEP_SECONDS = env.integer("NOTIFICATIONS_SWEEP_SECONDS", 30)
NOTIFICATIONS_SWEEP_GRACE_SECONDS = env.integer("NOTIFICATIONS_SWEEP_GRACE_SECONDS", 30)
NOTIFICATIONS_REQUEUE_SECONDS = env.integer("NOTIFICATIONS_REQUEUE_SECONDS", 300)
# Email: Django's EMAIL_* settings; unset, messages are printed by the worker (console).
EMAIL_BACKEND = env.text("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.text("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.text("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.text("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.flag("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.flag("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = NOTIFICATIONS_HTTP_TIMEOUT
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "chuishao@localhost")
# Reminders before a check-in's deadline while nobody is on site: minutes left, e.g. "10,5".
try:
    DISPATCH_REMINDER_MINUTES = sorted(
        {int(m) for m in env.csv_list("DISPATCH_REMINDER_MINUTES", ["10", "5"])}, reverse=True
    )
except ValueError:
    raise env.ConfigError(
        "DISPATCH_REMINDER_MINUTES", "must be whole minutes separated by commas, e.g. 10,5"
    ) from None
if any(m < 1 for m in DISPATCH_REMINDER_MINUTES):
    raise env.ConfigError("DISPATCH_REMINDER_MINUTES", "must be at least 1 minute each")
CELERY_BEAT_SCHEDULE["evaluation-nightly"] = {
    "task": "evaluation.recompute_recent",
    "schedule": crontab(hour=2, minute=30),  # Asia/Shanghai (CELERY_TIMEZONE)
}
# 双报到, feedback to employers: a report per unit and period ("month", "quarter" or "year"),
# frozen at the period's end by the deadline engine; the rows of the period are made nightly
# (community.feedback.ensure_reports).
DUAL_FEEDBACK_PERIOD = env.text("DUAL_FEEDBACK_PERIOD", "quarter")
if DUAL_FEEDBACK_PERIOD not in ("month", "quarter", "year"):
    raise env.ConfigError("DUAL_FEEDBACK_PERIOD", "must be month, quarter or year")
CELERY_BEAT_SCHEDULE["community-employer-reports"] = {
    "task": "community.ensure_employer_reports",
    "schedule": crontab(hour=0, minute=10),  # Asia/Shanghai (CELERY_TIMEZONE)
}
# A heartbeat through each queue the sweep does not cover: /healthz names a queue no worker
# takes (deliveries stopping silently while the sweep still runs was seen).
HEALTH_QUEUES = ["celery", "notifications"]
for _queue in HEALTH_QUEUES:
    CELERY_BEAT_SCHEDULE[f"heartbeat-{_queue}"] = {
        "task": "dispatch.queue_heartbeat",
        "schedule": DISPATCH_SWEEP_SECONDS,
        "args": (_queue,),
        "options": {"queue": _queue, "expires": DISPATCH_SWEEP_SECONDS},
    }
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {
    "task": "notifications.sweep",
    "schedule": NOTIFICATIONS_SWEEP_SECONDS,
    "options": {"expires": NOTIFICATIONS_SWEEP_SECONDS},
}

"""Settings for each environment, read from the process environment.

Every setting can be overridden by an environment variable of the same name;
`create_app(config_name)` picks the class and then applies `test_config` overrides.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_list(name: str) -> list[str] | None:
    """A comma-separated setting as a list, or None when the variable is unset or empty."""
    items = [item.strip() for item in os.environ.get(name, "").split(",")]
    return [item for item in items if item] or None


# The key used when SECRET_KEY is not set: fine on a developer's machine, refused in production (app/security.py).
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"
MIN_SECRET_KEY_LENGTH = 32

# No inline scripts or styles anywhere (templates/ is checked by tests/security/test_templates.py). Images may
# come from other https hosts because entries written in Markdown may show pictures hosted elsewhere; plain
# http images are not allowed (mixed content on an https site, and readable/alterable on the way).
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'"
)
# Browser features Sala never uses, switched off for the site and anything it might embed.
DEFAULT_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# Browsers keep to HTTPS for a year once they have seen this over HTTPS (production only; app/security.py).
DEFAULT_HSTS = "max-age=31536000; includeSubDomains"


class Config:
    """Defaults shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    # Production refuses to start with a missing, default or short SECRET_KEY (app/security.py).
    REQUIRE_STRONG_SECRET_KEY = False
    # The site's public address (scheme, host, optional port and path prefix): every absolute URL the site
    # sends (mails, feeds, the JSON API) is built from it, never from the request's Host header (app/urls.py).
    # Production has no default and refuses to start without it.
    SITE_URL = os.environ.get("SITE_URL") or "http://127.0.0.1:5000"
    # Host names the site answers to (Flask's setting; any other Host header gets 400). None answers any host;
    # production derives it from SITE_URL unless TRUSTED_HOSTS (comma-separated) is set (app/security.py).
    TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS")
    TRUSTED_HOSTS_FROM_SITE_URL = False
    # `flask demo` loads accounts with a published password; production refuses unless --force (app/cli.py).
    DEMO_DATA_ALLOWED = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'sala.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Where search documents live: "whoosh" (an embedded index directory per server, the default) or
    # "postgres" (a tsvector table in the PostgreSQL database, shared by every server; app.search.backends).
    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "whoosh")
    # A symlink to the live index version; versions and the swap lock sit beside it inside search_index/.
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(BASE_DIR / "search_index" / "current"))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Images: bytes per uploaded file, stored bytes per member, longest side kept, and how long an upload
    # no entry uses is kept before `flask uploads prune` removes it (a writer may still be mid-entry).
    MAX_UPLOAD_BYTES = _env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    UPLOAD_QUOTA_BYTES = _env_int("UPLOAD_QUOTA_BYTES", 30 * 1024 * 1024)
    UPLOAD_MAX_SIDE = _env_int("UPLOAD_MAX_SIDE", 2000)
    UPLOAD_PRUNE_GRACE_HOURS = _env_int("UPLOAD_PRUNE_GRACE_HOURS", 7 * 24)
    # Images one member may upload in a while (Flask-Limiter, counted like the RATELIMIT_* limits below): each one
    # is a decode of up to a second of CPU and 200 MB (app/uploads/limits.py). Over it: 429 with Retry-After.
    UPLOAD_LIMIT_PER_MEMBER = os.environ.get("UPLOAD_LIMIT_PER_MEMBER", "30 per 10 minutes")
    # Apply search-outbox tasks right after each commit (tests turn it off to simulate a crash).
    SEARCH_SYNC_ON_COMMIT = True
    # /healthz says "degraded" when a committed change has waited this long for the task worker to index it.
    SEARCH_PENDING_ALERT_SECONDS = _env_int("SEARCH_PENDING_ALERT_SECONDS", 300)
    # A Thai word is also found where the text's pieces were cut differently around it (app/search/substring.py);
    # off, a Thai query is a phrase of its own pieces only (faster, misses words inside longer pieces).
    # "auto": on for both backends; 1 or 0 forces it.
    SEARCH_THAI_SUBSTRINGS = os.environ.get("SEARCH_THAI_SUBSTRINGS", "auto")
    # A term in at least this share of the entries (and this many of them) is "common": when the index is
    # rebuilt, neighbouring common terms are also indexed as pairs, so a phrase of them is one lookup.
    SEARCH_PAIR_MIN_SHARE = float(os.environ.get("SEARCH_PAIR_MIN_SHARE", "0.1"))
    SEARCH_PAIR_MIN_DOCS = _env_int("SEARCH_PAIR_MIN_DOCS", 50)
    # A rebuild writes segments of at most SEARCH_REINDEX_SEGMENT_DOCS entries in this many worker processes
    # (app.search.bulk); a segment's postings are held in memory until it is written, ≈25 KB per entry. The
    # PostgreSQL backend's rebuild writes its documents with this many processes too.
    SEARCH_REINDEX_PROCS = _env_int("SEARCH_REINDEX_PROCS", os.cpu_count() or 1)
    SEARCH_REINDEX_SEGMENT_DOCS = _env_int("SEARCH_REINDEX_SEGMENT_DOCS", 10000)
    # Requests larger than this are refused before a view runs (413); entry bodies have their own limit.
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 12 * 1024 * 1024)
    MAX_FORM_MEMORY_SIZE = _env_int("MAX_FORM_MEMORY_SIZE", 1024 * 1024)
    MAX_ENTRY_BODY_BYTES = _env_int("MAX_ENTRY_BODY_BYTES", 200 * 1024)
    ENTRIES_PER_PAGE = _env_int("ENTRIES_PER_PAGE", 10)
    # Read counts are buffered and written in batches so page views never wait on a write lock.
    READ_FLUSH_INTERVAL_SECONDS = _env_int("READ_FLUSH_INTERVAL_SECONDS", 10)
    READ_FLUSH_BATCH = _env_int("READ_FLUSH_BATCH", 50)
    # Page cache (app/page_cache/, ARCHITECTURE.md): each worker keeps pages in its memory; the versions that say
    # whether they are current live in a cache every worker shares: files in CACHE_DIR (one machine), or Redis
    # with CACHE_REDIS_URL (several machines, e.g. redis://127.0.0.1:6379/1). CACHE_TYPE=NullCache keeps nothing.
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "")
    CACHE_TYPE = os.environ.get("CACHE_TYPE") or ("RedisCache" if CACHE_REDIS_URL else "FileSystemCache")
    CACHE_DIR = os.environ.get("CACHE_DIR", str(INSTANCE_DIR / "page-cache"))
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "sala:")
    # The shared cache holds only the generation and at most 16,384 version slots (app/page_cache/store.py).
    CACHE_THRESHOLD = 0
    CACHE_DEFAULT_TIMEOUT = 0
    PAGE_CACHE_TIMEOUT = _env_int("PAGE_CACHE_TIMEOUT", 300)
    # Pages (and derived values) each worker process keeps, least recently served out first.
    PAGE_CACHE_MEMO_PAGES = _env_int("PAGE_CACHE_MEMO_PAGES", 1024)
    # List totals and rankings (`page_cache.remember`) are retired by changes, like pages; this bounds them.
    DERIVED_CACHE_TIMEOUT = _env_int("DERIVED_CACHE_TIMEOUT", 3600)
    # PAGE_CACHE=0 renders every page in full for every reader (bench/http's cold mode); totals are still kept.
    PAGE_CACHE = os.environ.get("PAGE_CACHE", "1") != "0"
    # How long a proxy (DEPLOY.md's nginx) may keep a page kept for guests: the most a guest sees a page late.
    PAGE_PROXY_SECONDS = _env_int("PAGE_PROXY_SECONDS", 1)
    # PAGE_CACHE_CHECK renders every kept page again when it would be served and fails on a difference (tests).
    PAGE_CACHE_CHECK = False
    # Background tasks (app/tasks.py, Huey), such as ranking an entry's related entries: queued in a SQLite file in
    # instance/ by default, which a worker on the same machine runs (`make run` starts one; DEPLOY.md, "Task
    # worker"); with several machines set TASK_QUEUE_URL to a shared Redis (for example redis://127.0.0.1:6379/2).
    TASK_QUEUE_URL = os.environ.get("TASK_QUEUE_URL") or f"sqlite:///{INSTANCE_DIR / 'tasks.db'}"
    # Run each task at once in the process that queued it, instead of leaving it to the worker.
    TASK_QUEUE_IMMEDIATE = os.environ.get("TASK_QUEUE_IMMEDIATE", "0") == "1"
    CACHE_NO_NULL_WARNING = True  # NullCache is the documented way to turn the page cache off
    BABEL_DEFAULT_LOCALE = os.environ.get("BABEL_DEFAULT_LOCALE", "th")
    BABEL_DEFAULT_TIMEZONE = "Asia/Bangkok"
    # Compiled catalogs (translations/<locale>/LC_MESSAGES/messages.mo, built by `make`); Thai needs none.
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    # Each sign-in is a row on the server (app/auth/signins.py): signing out ends it, and it ends by itself this
    # many seconds after signing in, with or without remember-me.
    LOGIN_SESSION_LIFETIME = _env_int("LOGIN_SESSION_LIFETIME", REMEMBER_COOKIE_DURATION)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = None
    PASSWORD_HASH_METHOD = "scrypt"
    # Response headers sent on every response (app/security.py); an empty value leaves that header out.
    CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", DEFAULT_CSP)
    # Send the policy as Content-Security-Policy-Report-Only instead (to try a changed policy without breaking).
    CONTENT_SECURITY_POLICY_REPORT_ONLY = os.environ.get("CONTENT_SECURITY_POLICY_REPORT_ONLY", "") == "1"
    REFERRER_POLICY = os.environ.get("REFERRER_POLICY", "strict-origin-when-cross-origin")
    PERMISSIONS_POLICY = os.environ.get("PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
    X_FRAME_OPTIONS = "DENY"
    # Strict-Transport-Security: off here (a browser would then refuse plain http to the host, localhost too).
    STRICT_TRANSPORT_SECURITY = os.environ.get("STRICT_TRANSPORT_SECURITY", "")
    # Behind a reverse proxy: how many proxies set each X-Forwarded-* header (werkzeug ProxyFix); 0 = ignore it.
    # Never set these above 0 when clients can reach the app directly: they could then forge their address.
    PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = _env_int("PROXY_FIX_X_PROTO", 0)
    PROXY_FIX_X_HOST = _env_int("PROXY_FIX_X_HOST", 0)
    PROXY_FIX_X_PREFIX = _env_int("PROXY_FIX_X_PREFIX", 0)
    # Rate limits (Flask-Limiter): counters in a SQLite file that every worker process of the machine shares
    # (app/rate_limit_storage.py); with several machines set RATELIMIT_STORAGE_URI to a shared Redis (for
    # example redis://127.0.0.1:6379/0). memory:// counts in each process apart: for tests only.
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or f"sqlite:///{INSTANCE_DIR / 'rate-limits.db'}"
    RATELIMIT_HEADERS_ENABLED = True
    # Every sign-in attempt from one address counts; only failed ones count against one account.
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "20 per 5 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 5 minutes")
    # Accounts made from one address (attempts that make none, such as a taken username, do not count).
    REGISTER_LIMIT_PER_IP = os.environ.get("REGISTER_LIMIT_PER_IP", "5 per hour")
    # How long the link mailed to confirm a new account's email address stays valid, in seconds.
    EMAIL_CONFIRM_MAX_AGE = _env_int("EMAIL_CONFIRM_MAX_AGE", 3 * 24 * 60 * 60)
    # Confirmation mails a member may ask for from /account/email (a new address, or the link again).
    EMAIL_CONFIRM_LIMIT_PER_ACCOUNT = os.environ.get("EMAIL_CONFIRM_LIMIT_PER_ACCOUNT", "3 per hour")
    PASSWORD_RESET_LIMIT_PER_IP = os.environ.get("PASSWORD_RESET_LIMIT_PER_IP", "10 per hour")
    PASSWORD_RESET_LIMIT_PER_ADDRESS = os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "3 per hour")
    # Comments: how many a guest may send from one address, and how many links a comment may carry before it
    # waits for approval (app/comments/services.py, moderation_reasons).
    COMMENT_LIMIT_PER_IP = os.environ.get("COMMENT_LIMIT_PER_IP", "5 per 10 minutes")
    COMMENT_MAX_LINKS_GUEST = _env_int("COMMENT_MAX_LINKS_GUEST", 2)
    COMMENT_MAX_LINKS_MEMBER = _env_int("COMMENT_MAX_LINKS_MEMBER", 5)
    MODERATION_PER_PAGE = 20
    # How long an emailed password-reset link stays valid, in seconds.
    PASSWORD_RESET_MAX_AGE = _env_int("PASSWORD_RESET_MAX_AGE", 60 * 60)
    # Outgoing mail over SMTP; with no MAIL_SERVER (development, tests) messages are written to the log.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") != "0"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Sala <no-reply@localhost>")


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    # What the test client sends as Host; fixed, so a SITE_URL or TRUSTED_HOSTS in the shell changes no test.
    SITE_URL = "http://localhost"
    TRUSTED_HOSTS = None
    WTF_CSRF_ENABLED = False
    READ_FLUSH_BATCH = 1
    SECRET_KEY = "testing-secret"
    # Fast hashing keeps the suite quick; production keeps Werkzeug's scrypt default.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # The suite signs in many times; tests of the limits turn them on (tests/auth/test_rate_limits.py).
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_SERVER = ""
    # The page cache is on, in memory (one process), and every kept page is checked against a fresh render.
    CACHE_TYPE = "SimpleCache"
    PAGE_CACHE_CHECK = True
    # Tasks run in the test's own process as they are queued, so a test sees their effect at once.
    TASK_QUEUE_IMMEDIATE = True


class ProductionConfig(Config):
    REQUIRE_STRONG_SECRET_KEY = True
    SITE_URL = os.environ.get("SITE_URL", "")
    TRUSTED_HOSTS_FROM_SITE_URL = True
    DEMO_DATA_ALLOWED = False
    # Cookies only over HTTPS (the language cookie sala_lang follows SESSION_COOKIE_SECURE, app/i18n.py).
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    STRICT_TRANSPORT_SECURITY = os.environ.get("STRICT_TRANSPORT_SECURITY", DEFAULT_HSTS)


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

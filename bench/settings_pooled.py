"""Settings for the benchmark's VARIANT only: the app's settings plus Django 5's psycopg
connection pool (needs ``psycopg-pool``, not a project dependency). Shows what pooling would
save; the main figures use the shipped settings (a new connection per request)."""

from config.settings import *  # noqa: F403
from config.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    "pool": {"min_size": 4, "max_size": 16, "timeout": 10},
}

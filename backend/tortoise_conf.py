"""Tortoise configuration for the ``tortoise`` command line (makemigrations, sqlmigrate…).

    .venv/bin/tortoise -c backend.tortoise_conf.TORTOISE_ORM makemigrations

The application itself builds its configuration with :func:`backend.db.tortoise_config`.
"""

from __future__ import annotations

import os

from backend.db import tortoise_config

TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", "sqlite://var/portail.sqlite3"))

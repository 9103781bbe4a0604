"""Unbound extension instances; `create_app` binds them to an app with `init_app`."""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy

from configurator.openapi import AtelierApi

api = AtelierApi()
db = SQLAlchemy()

"""WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from configurator import create_app

app = create_app()

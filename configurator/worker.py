"""Celery worker entry point: `celery -A configurator.worker worker`."""

from configurator import create_app
from configurator.tasks import EXTENSION

app = create_app()
celery = app.extensions[EXTENSION]

"""Fixtures of the rules tests: how much of a YAML file the safe loader read."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ruamel.yaml.events import Event

from rules.language import yamlsafe
from tests.support.yamlwork import YamlEvents


@pytest.fixture
def yaml_events(monkeypatch: pytest.MonkeyPatch) -> YamlEvents:
    """Count what the loader reads (the real loader runs; each event is seen on its way in)."""
    events = YamlEvents(limit=5_000)
    feed: Callable[[yamlsafe._Builder, Event], bool] = yamlsafe._Builder.feed

    def counted(builder: yamlsafe._Builder, event: Event) -> bool:
        taken = events.by_file[builder.file]
        taken.append(event)
        if len(taken) > events.limit:
            pytest.fail(f"{builder.file}: the loader read more than {events.limit} events and went on")
        return feed(builder, event)

    monkeypatch.setattr(yamlsafe._Builder, "feed", counted)
    return events

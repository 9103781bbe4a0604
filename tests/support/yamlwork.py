"""How much of a YAML file the safe loader read: the parse events its builder took, file by file."""

from __future__ import annotations

from collections import defaultdict

from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, Event


class YamlEvents:
    """The parse events the safe loader's builder took, file by file: the loader's work, counted.

    A refusal that stops working would read a hostile file to its end (minutes for some); past
    `limit` events in one file the parse stops with a failure instead."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.by_file: dict[str, list[Event]] = defaultdict(list)

    def of(self, file: str) -> list[Event]:
        return self.by_file[file]

    def aliases(self, file: str) -> int:
        return sum(isinstance(event, AliasEvent) for event in self.of(file))

    def deepest(self, file: str) -> int:
        """How many collections were open at once, counting the one the loader refused to open."""
        depth = deepest = 0
        for event in self.of(file):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
        return deepest

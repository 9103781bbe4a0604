"""`atelier availability`: options off sale from a shell, the same state the admin API and the shop read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from configurator import create_app
from configurator.cli import main


@pytest.fixture
def shop(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    database = f"sqlite:///{tmp_path}/shop.db"
    monkeypatch.setenv("ATELIER_DATABASE_URL", database)
    create_app({"SQLALCHEMY_DATABASE_URI": database})  # migrates and publishes the demo catalog
    return database


def configure_reason(database: str) -> dict[str, object] | None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "ATELIER_LIVE_REFRESH_SECONDS": 0})
    answer = app.test_client().post("/api/v1/products/engraved-mug/configure", json={"picks": {}}).get_json()
    colour = next(d for d in answer["domains"] if d["key"] == "colour")
    gold: dict[str, object] = next(o for o in colour["options"] if o["key"] == "gold")
    return gold["reason"] if not gold["available"] else None  # type: ignore[return-value]


def test_an_option_sold_out_from_the_shell_is_greyed_out_in_the_shop_until_cleared(shop: str) -> None:
    runner = CliRunner()

    marked = runner.invoke(
        main, ["availability", "sold-out", "engraved-mug", "colour", "gold", "--message", "en=Gold is gone."]
    )
    assert marked.exit_code == 0, marked.output
    assert configure_reason(shop) is not None
    listed = runner.invoke(main, ["availability", "list"])
    assert listed.output.strip() == "engraved-mug\tcolour\tgold\tsold_out\tGold is gone."

    cleared = runner.invoke(main, ["availability", "clear", "engraved-mug", "colour", "gold"])
    assert cleared.exit_code == 0, cleared.output
    assert configure_reason(shop) is None
    assert runner.invoke(main, ["availability", "list"]).output.strip() == "Every option is on sale."


def test_a_pause_says_until_when_and_a_past_moment_is_refused(shop: str) -> None:
    runner = CliRunner()
    until = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)

    paused = runner.invoke(
        main, ["availability", "pause", "engraved-mug", "colour", "gold", "--until", until.isoformat()]
    )
    past = runner.invoke(
        main, ["availability", "pause", "engraved-mug", "colour", "ink", "--until", "2020-01-01T00:00"]
    )

    assert paused.exit_code == 0, paused.output
    assert (
        f"until {until.isoformat(timespec='minutes')}" in runner.invoke(main, ["availability", "list"]).output
    )
    assert past.exit_code != 0
    assert "future" in past.output


def test_an_option_the_product_lacks_is_refused_with_what_it_has(shop: str) -> None:
    result = CliRunner().invoke(main, ["availability", "sold-out", "engraved-mug", "colour", "purple"])

    assert result.exit_code != 0
    assert "has no option 'purple'" in result.output

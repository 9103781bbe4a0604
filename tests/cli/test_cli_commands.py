"""The one command line: every command once, assembled from the domains, on Flask's FlaskGroup."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from configurator import create_app
from configurator.cli import main


def command_paths(group: click.Group, prefix: str = "") -> list[str]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        found.append(path)
        if isinstance(command, click.Group):
            found += command_paths(command, f"{path} ")
    return found


def test_every_command_is_defined_once_and_the_app_adds_only_its_extensions() -> None:
    app = create_app({"ATELIER_AUTO_SETUP": False, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    # Flask-Migrate's `db` and flask-smorest's `openapi` come with the app; the shop's own commands
    # are the command line's, not registered a second time on the app.
    assert set(app.cli.commands) == {"db", "openapi"}
    ours = command_paths(main)
    assert len(ours) == len(set(ours))
    assert not set(main.commands) & set(app.cli.commands)
    for expected in (
        "mail flush",
        "proofs render",
        "partners add",
        "insights suggest-defaults",
        "rules publish",
        "campaigns close-due",
    ):
        assert expected in ours


def test_the_apps_commands_are_reached_through_atelier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATELIER_DATABASE_URL", "sqlite://")
    result = CliRunner().invoke(main, ["db", "--help"])
    assert result.exit_code == 0, result.output
    assert "upgrade" in result.output


def test_a_database_url_nobody_can_use_is_refused_with_what_to_write(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATELIER_DATABASE_URL", "postgress://shop@localhost/atelier")
    result = CliRunner().invoke(main, ["partners", "list"])
    assert result.exit_code == 2
    assert "ATELIER_DATABASE_URL must be a database URL such as postgresql+psycopg://" in result.output
    assert "Traceback" not in result.output


def test_campaigns_past_their_deadline_are_decided_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from datetime import timedelta

    from configurator.community.models import Campaign
    from configurator.dbtypes import utcnow
    from configurator.extensions import db

    database = f"sqlite:///{tmp_path}/shop.db"
    monkeypatch.setenv("ATELIER_DATABASE_URL", database)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        past = Campaign(
            kind="vote",
            product_key="engraved-mug",
            title="Old vote",
            opens_at=utcnow() - timedelta(days=10),
            closes_at=utcnow() - timedelta(days=1),
        )
        db.session.add(past)
        db.session.commit()
        db.session.remove()
    runner = CliRunner()
    first = runner.invoke(main, ["campaigns", "close-due"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "1 campaign decided"
    assert runner.invoke(main, ["campaigns", "close-due"]).output.strip() == "0 campaigns decided"
    listed = runner.invoke(main, ["campaigns", "list"])
    assert "closed" in listed.output
    assert "Old vote" in listed.output

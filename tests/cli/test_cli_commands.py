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

"""The `atelier` command, the shop's one command line: serve the demo; check, explain, describe and
publish catalogs; and the operators' commands of every domain, each defined once in its domain's
`commands` module and assembled here.

It is Flask's `FlaskGroup` with the app factory: a command that works on the shop gets an app built
from the environment (`cli_app`, which never sets up the demo on its own), commands of the app's
extensions come along (`atelier db upgrade|current|history` from Flask-Migrate), and commands that
only read files (`rules check`, `rules explain`, `rules schema`) build no app at all.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask import Flask
from flask.cli import FlaskGroup, NoAppException, routes_command, shell_command
from flask_sqlalchemy import SQLAlchemy
from werkzeug.serving import run_simple

from configurator.admin.commands import availability_group
from configurator.catalog import services
from configurator.catalog.errors import CatalogInvalid
from configurator.community.commands import campaigns_group
from configurator.errors import AtelierError
from configurator.importing import import_command
from configurator.insights.commands import insights_group
from configurator.mail.commands import mail_group
from configurator.partners.commands import partners_group
from configurator.proofs.commands import proofs_group
from configurator.publishing import commands as publishing_commands
from configurator.recommendations.commands import suggest_defaults
from rules.errors import Diagnostic
from rules.model import AttributeKind

if TYPE_CHECKING:
    from rules.analysis import CatalogCheck

DEFAULT_CATALOG = "catalog"
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def cli_app() -> Flask:
    """The app a command works on: the configured database (ATELIER_DATABASE_URL), the demo never set
    up on its own (a `rules diff` must not publish the catalog folder first)."""
    from configurator import create_app
    from configurator.extensions import db

    try:
        app = create_app({"ATELIER_AUTO_SETUP": False})
    except AtelierError as error:
        raise NoAppException(error.operator_message) from error  # FlaskGroup prints it, no traceback
    # A command's connections end with it, also when many commands run in one process (tests).
    app.teardown_appcontext(lambda _error: close_connections(db))
    return app


def close_connections(db: SQLAlchemy) -> None:
    db.session.remove()  # first: a connection still held would outlive the pool it came from
    db.engine.dispose()


@click.group(
    "atelier",
    cls=FlaskGroup,
    create_app=cli_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="atelier", prog_name="atelier")
def main() -> None:
    """Atelier: products made to order."""


# FlaskGroup's --app, --env-file and --debug would name another app, need python-dotenv, or shadow
# `run --debug`: the shop's command keeps its own options only.
main.params = [p for p in main.params if p.name not in {"app", "env_file", "debug"}]
main.add_command(shell_command)
main.add_command(routes_command)


@main.command(with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--catalog",
    type=click.Path(file_okay=False),
    envvar="ATELIER_CATALOG",
    help="Catalog folder (default: ./catalog, or $ATELIER_CATALOG).",
)
@click.option("--debug", is_flag=True, help="Werkzeug's debugger and reloader: never on a public address.")
def run(host: str, port: int, catalog: str | None, debug: bool) -> None:
    """Serve the API and the demo catalog with werkzeug (for production use gunicorn wsgi:app)."""
    from configurator import create_app

    # The demo's e-mails and tasks report through logging: show them on the console.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.INFO)
    try:
        app = create_app({"ATELIER_CATALOG": catalog} if catalog else None)
    except CatalogInvalid as error:
        _print_diagnostics(error.diagnostics)
        raise click.ClickException(error.detail.splitlines()[0]) from error
    except AtelierError as error:
        raise click.ClickException(error.operator_message) from error
    with app.app_context():
        products = len(services.current_catalog().products)
    click.echo(
        f"Atelier: {products} products from {app.config['ATELIER_CATALOG']}; "
        f"API docs at http://{host}:{port}/docs"
    )
    # werkzeug's server itself: Flask's `app.run` does nothing under a FlaskGroup command (it would
    # block the CLI, Flask says), and this command is the server.
    run_simple(host, port, app, use_debugger=debug, use_reloader=debug, threaded=True)


@main.group("rules", cls=click.Group)
def rules_group() -> None:
    """Check, explain, describe and publish catalogs written in the rules language."""


rules_group.add_command(publishing_commands.publish)
rules_group.add_command(publishing_commands.diff)
rules_group.add_command(import_command)
insights_group.add_command(suggest_defaults)
for group in (partners_group, insights_group, mail_group, proofs_group, campaigns_group, availability_group):
    main.add_command(group)


@main.group("uploads")
def uploads_group() -> None:
    """Shopper photos."""


@uploads_group.command("collect")
@click.option("--older-than-days", type=click.FloatRange(min=0), default=None, help="the retention")
@click.option("--dry-run", is_flag=True, help="say what would go, remove nothing")
def uploads_collect(older_than_days: float | None, dry_run: bool) -> None:
    """Remove the uploads older than the retention (ATELIER_UPLOAD_RETENTION_DAYS) that no saved design
    and no order names (the beat schedule does this daily)."""
    from datetime import timedelta

    from flask import current_app

    from configurator.storage import blob_store
    from configurator.uploads.collect import collect_unused

    days = older_than_days
    if days is None:
        days = float(current_app.config["ATELIER_UPLOAD_RETENTION_DAYS"])
    result = collect_unused(blob_store(), older_than=timedelta(days=days), dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    click.echo(
        f"{result.examined} upload(s) older than {days:g} day(s): {len(result.removed)} {verb}, "
        f"{result.kept} kept (named by a design or an order)"
    )


@main.group("payments")
def payments_group() -> None:
    """Payments as the provider holds them."""


@payments_group.command("reconcile")
@click.option(
    "--since",
    "since_hours",
    type=click.IntRange(min=1),
    default=72,
    show_default=True,
    metavar="HOURS",
    help="Only orders placed this recently.",
)
@click.option(
    "--fix", is_flag=True, help="Mark the orders paid or refunded, as the lost webhooks would have."
)
def payments_reconcile(since_hours: int, fix: bool) -> None:
    """List orders whose payment the provider reports differently (succeeded while the order is
    pending, refunded in full while it is not refunded: a webhook never arrived); with --fix, record
    what the provider says. Exit 1 when the provider did not answer for some payment."""
    from datetime import timedelta

    from configurator.payments.reconcile import reconcile

    report = reconcile(timedelta(hours=since_hours), fix=fix)
    for found in report.findings:
        if found.fixed:
            state = f"marked {found.becomes.value}"
        elif fix:
            state = f"left {found.status.value}"
        else:
            state = f"{found.status.value} here, should be {found.becomes.value}"
        click.echo(f"{found.order_number}\t{found.reference}\t{found.amount_minor} {found.currency}\t{state}")
    click.echo(
        f"{report.checked} order(s) checked, {len(report.findings)} to change"
        + (f", {sum(f.fixed for f in report.findings)} changed" if fix else "")
    )
    if report.errors:
        click.echo(f"No answer for: {', '.join(report.errors)}", err=True)
        raise SystemExit(1)


@rules_group.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Lint catalog folders (or product files): errors, warnings and analyses. Exit 1 on any error.

    Publishing runs the same checks and refuses a catalog with any error."""
    check_catalog = _analyser()
    errors = warnings = products = 0
    for path in paths:
        folder = path if path.is_dir() else path.parent
        wanted = None if path.is_dir() else path.resolve()
        try:
            loaded = services.load(folder)
        except CatalogInvalid as error:
            diagnostics = _only_for(error.diagnostics, wanted)
            _print_diagnostics(diagnostics)
            errors += sum(d.severity == "error" for d in diagnostics) or 1
            continue
        keys = [
            key
            for key, product in loaded.products.items()
            if wanted is None or _same_file(product.model.source, wanted)
        ]
        count = len(loaded.products) if wanted is None else 1
        click.echo(f"{path}: brand {loaded.brand.key}, {count} product{'s' if count != 1 else ''}")
        diagnostics = _only_for(loaded.warnings, wanted)
        _print_diagnostics(diagnostics)
        warnings += len(diagnostics)
        checked = check_catalog(loaded.catalog, products=keys) if check_catalog is not None else None
        for key in keys:
            products += 1
            if checked is None:
                click.echo(f"{key}: {loaded.products[key].count():,} possible designs")
                continue
            found = checked.analyses[key]
            _print_diagnostics(found)
            errors += sum(d.severity == "error" for d in found)
            warnings += sum(d.severity == "warning" for d in found)
    click.echo(
        f"{products} product{'s' if products != 1 else ''} checked: "
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    )
    if errors:
        raise SystemExit(1)


def _analyser() -> Callable[..., CatalogCheck] | None:
    """The engine's catalog analyses, when this version of `rules` has them."""
    try:
        from rules.analysis import check_catalog
    except ImportError:
        return None
    return check_catalog


def _same_file(source: Any, wanted: Path) -> bool:
    return source is not None and Path(source.file).resolve() == wanted


def _only_for(diagnostics: Sequence[Diagnostic], wanted: Path | None) -> list[Diagnostic]:
    """The diagnostics of one file (and those of no file in particular), or all when no file is asked."""
    if wanted is None:
        return list(diagnostics)
    return [
        d
        for d in diagnostics
        if d.source is None or _same_file(d.source, wanted) or Path(d.source.file).name == "brand.yaml"
    ]


def _print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """Errors to stderr; facts such as a design count (severity "info") as their bare message."""
    for diagnostic in diagnostics:
        if diagnostic.severity == "info":
            click.echo(diagnostic.message)
        else:
            click.echo(str(diagnostic), err=diagnostic.severity == "error")


@rules_group.command("explain")
@click.argument("product")
@click.option(
    "--catalog",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=lambda: os.environ.get("ATELIER_CATALOG", DEFAULT_CATALOG),
    show_default="./catalog",
)
@click.option(
    "--pick",
    "pick_args",
    multiple=True,
    metavar="ATTR=VALUE",
    help="A pick; repeat for several (a multi attribute takes a,b or several --pick).",
)
@click.option("--currency", help="ISO 4217 code; default: the brand's first currency.")
@click.option("--locale", default="en", show_default=True)
@click.option("--quantity", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer instead of a table.")
def explain(
    product: str,
    catalog: Path,
    pick_args: tuple[str, ...],
    currency: str | None,
    locale: str,
    quantity: int,
    as_json: bool,
) -> None:
    """Show what is still possible for PRODUCT given some picks, why the rest is not, and the price."""
    try:
        loaded = services.load(catalog)
        found = services.get_product(loaded, product)
        raw = parse_picks(pick_args, found.model)
        # Files only: a photo pick names an upload in some shop's store, which is not asked.
        answer = services.configure(
            found, raw, currency=currency, quantity=quantity, locale=locale, look_up_uploads=False
        )
    except CatalogInvalid as error:
        _print_diagnostics(error.diagnostics)
        raise click.ClickException(error.detail.splitlines()[0]) from error
    except AtelierError as error:
        for item in error.errors:
            click.echo(f"{item.field}: {item.detail}", err=True)
        raise click.ClickException(error.operator_message) from error
    if as_json:
        click.echo(json.dumps(answer, indent=2, default=_json_default, ensure_ascii=False))
    else:
        click.echo(render_explanation(services.describe_product(found, locale), answer, raw))


def parse_picks(pick_args: Sequence[str], model: Any) -> dict[str, object]:
    """`attr=value` strings into JSON-like picks, typed by each attribute's kind."""
    picks: dict[str, object] = {}
    for arg in pick_args:
        key, sep, text = arg.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"{arg!r} is not ATTR=VALUE", param_hint="--pick")
        attribute = model.attribute(key)
        kind = attribute.kind if attribute is not None else None
        if kind is AttributeKind.MULTI:
            chosen = picks.setdefault(key, [])
            assert isinstance(chosen, list)
            chosen.extend(v.strip() for v in text.split(",") if v.strip())
        elif kind is AttributeKind.NUMBER:
            try:
                picks[key] = int(text)
            except ValueError:
                raise click.BadParameter(
                    f"{key} takes a whole number, not {text!r}", param_hint="--pick"
                ) from None
        elif kind is AttributeKind.BOOLEAN:
            if text.lower() not in _TRUE | _FALSE:
                raise click.BadParameter(f"{key} takes true or false, not {text!r}", param_hint="--pick")
            picks[key] = text.lower() in _TRUE
        else:
            picks[key] = text
    return picks


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _show(value: object) -> str:
    if isinstance(value, frozenset | set | list | tuple):
        return "{" + ", ".join(sorted(map(str, value))) + "}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "-"
    return str(value)


def _reason_text(reason: dict[str, Any]) -> str:
    """A reason's sentence, then the rules that say so and the picks to change."""
    notes = [", ".join(rule["id"] for rule in reason["rules"])]
    notes.append("change: " + ", ".join(reason["picks"]) if reason["picks"] else "never possible")
    return f"{reason['text']} [{'; '.join(n for n in notes if n)}]"


def _image_row(domain: dict[str, Any], picked: bool) -> str:
    """Whether an image may, must or must not be given (the engine's presence of it)."""
    state = domain["text"]
    if picked:
        row = "  image: given (explain does not look uploads up: it reads the catalog files only)"
    elif not state["may_be_present"]:
        row = "  image: must be left out"
    elif not state["may_be_empty"]:
        row = "  image: required"
    else:
        row = "  image: may be given or left out"
    if state["reason"]:
        row += "  " + _reason_text(state["reason"])
    return row


def render_explanation(spec: dict[str, Any], answer: dict[str, Any], picks: dict[str, object]) -> str:
    """A readable table of domains, reasons, violations and price lines."""
    lines: list[str] = []
    picked = ", ".join(f"{k}={_show(v)}" for k, v in picks.items()) or "none"
    lines.append(f"{spec['label']} ({spec['key']})   picks: {picked}")
    attributes = {a["key"]: a for a in spec["attributes"]}
    for domain in answer["domains"]:
        attribute = attributes.get(domain["key"], {"label": domain["key"], "options": [], "kind": "?"})
        applies = {True: "applies", False: "does not apply", None: "depends on other picks"}[
            domain["applies"]
        ]
        head = f"{attribute['label']} [{domain['key']}, {attribute['kind']}] {applies}"
        if domain["key"] in picks:
            head += f"; picked {_show(domain['picked'])}"
        lines.append("")
        lines.append(head)
        labels = {o["key"]: o["label"] for o in attribute["options"]}
        key_width = max((len(_show(o["key"])) for o in domain["options"]), default=0)
        label_width = max((len(labels.get(o["key"], "")) for o in domain["options"]), default=0)
        for option in domain["options"]:
            mark = "ok" if option["available"] else "--"
            key = _show(option["key"]).ljust(key_width)
            row = f"  {mark} {key}  {labels.get(option['key'], '').ljust(label_width)}"
            if option["reason"]:
                row += "  " + _reason_text(option["reason"])
            lines.append(row.rstrip())
        if attribute["kind"] == AttributeKind.IMAGE.value and domain["text"]:
            lines.append(_image_row(domain, domain["key"] in picks and bool(domain["picked"])))
        elif domain["text"]:
            text = domain["text"]
            empty = "may be empty" if text["may_be_empty"] else "must not be empty"
            row = f"  text: up to {text['max_length']} characters, {empty}"
            if not text["may_be_present"]:
                row = "  text: must stay empty"
            if text["reason"]:
                row += "  " + _reason_text(text["reason"])
            lines.append(row)
    lines.append("")
    if answer["violations"]:
        lines.append("Broken rules:")
        for violation in answer["violations"]:
            rule = f" [{violation['rule']['id']}]" if violation["rule"] else ""
            lines.append(f"  {violation['kind']}: {violation['message']}{rule}")
    else:
        lines.append("Broken rules: none")
    price = answer["price"]
    lines.append("")
    lines.append(
        f"Price ({price['currency']}, quantity {price['quantity']}"
        f"{', tax included' if price['tax_included'] else ''}):"
    )
    amounts = [(line["label"], format(line["amount"], "f")) for line in price["lines"]]
    amounts += [("Unit price", format(price["unit_price"], "f")), ("Total", format(price["total"], "f"))]
    label_width = max(len(label) for label, _ in amounts)
    amount_width = max(len(amount) for _, amount in amounts)
    lines.extend(f"  {label.ljust(label_width)}  {amount.rjust(amount_width)}" for label, amount in amounts)
    lines.append("")
    lines.append(
        f"Designs left: {int(answer['remaining']):,}; consistent: {_show(answer['consistent'])}; "
        f"valid: {_show(answer['valid'])}; complete: {_show(answer['complete'])}"
    )
    return "\n".join(lines)


@rules_group.command("new")
@click.argument("product")
@click.option(
    "--catalog",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=lambda: os.environ.get("ATELIER_CATALOG", DEFAULT_CATALOG),
    show_default="./catalog",
)
def new(product: str, catalog: Path) -> None:
    """Start the product file PRODUCT.yaml in the catalog folder, from a commented template in the
    brand's currencies and languages; never over an existing file or product."""
    from rules.errors import CatalogError
    from rules.language import load_brand
    from rules.language.template import BadKey, check_product_key, product_template
    from rules.model import Brand, Localized

    try:
        check_product_key(product)
    except BadKey as error:
        raise click.BadParameter(str(error), param_hint="PRODUCT") from None
    brand_file = catalog / "brand.yaml"
    if not brand_file.is_file():
        raise click.ClickException(
            f"{catalog} has no brand.yaml: a product file goes next to its brand's. Give the folder "
            "holding brand.yaml with --catalog."
        )
    target = catalog / f"{product}.yaml"
    if target.exists():
        raise click.ClickException(
            f"{target} already exists: nothing was written. Edit it, or choose another key."
        )
    for other in sorted(catalog.glob("*.yaml")):
        if _product_key_of(other) == product:
            raise click.ClickException(
                f"{other} already describes the product {product!r}: product keys are unique in a "
                "catalog. Edit that file, or choose another key."
            )
    try:
        brand = load_brand(brand_file)
    except CatalogError:
        click.echo(
            f"{brand_file} has errors (`atelier rules check {catalog}` lists them): the new product is "
            "priced in EUR only.",
            err=True,
        )
        brand = Brand("brand", Localized.plain("Brand"), ("EUR",), {})
    try:
        with target.open("x", encoding="utf-8") as file:
            file.write(product_template(product, brand))
    except FileExistsError:
        raise click.ClickException(f"{target} already exists: nothing was written.") from None
    click.echo(f"Created {target}. Edit it, then run: atelier rules check {catalog}")


def _product_key_of(path: Path) -> str | None:
    """The `product:` key a YAML file starts with, read without loading it (it may not load yet)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = re.search(r"^product:[ \t]*['\"]?([^'\"#\s]+)", text, re.MULTILINE)
    return found.group(1) if found else None


@rules_group.command("schema")
def schema() -> None:
    """Print the JSON Schema of brand and product files (for editors)."""
    from rules.schema import language_schema

    click.echo(json.dumps(language_schema(), indent=2, ensure_ascii=False))


@main.group("admin")
def admin_group() -> None:
    """Administer the shop's back office (needs ATELIER_DATABASE_URL)."""


@admin_group.group("token")
def token_group() -> None:
    """Admin API tokens: create (shown once), list, revoke."""


@token_group.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    metavar="SCOPE",
    help="A scope to grant; repeat for several (see `atelier admin token scopes`).",
)
@click.option("--all-scopes", is_flag=True, help="Grant every scope that exists today.")
def token_create(name: str, scopes: tuple[str, ...], all_scopes: bool) -> None:
    """Create the admin token NAME and print it: it is shown this once, never again."""
    from configurator.admin import services as admin

    wanted = list(admin.SCOPES) if all_scopes else list(scopes)
    try:
        created = admin.create_token(name, wanted)
    except AtelierError as error:
        for item in error.errors:
            click.echo(f"{item.field}: {item.detail}", err=True)
        raise click.ClickException(error.operator_message) from error
    click.echo(created.plain)
    click.echo(
        f"Token {created.token.name!r} ({', '.join(created.token.scopes)}). Store it now, in a "
        "password manager or secret store: it cannot be shown again.",
        err=True,
    )


@token_group.command("list")
def token_list() -> None:
    """List the admin tokens (prefix, scopes, last use); tokens themselves are never shown."""
    from configurator.admin import services as admin

    tokens = admin.list_tokens()
    if not tokens:
        click.echo("No admin tokens.")
        return
    for token in tokens:
        used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "never"
        state = f"revoked {token.revoked_at.isoformat(timespec='minutes')}" if token.revoked_at else "active"
        click.echo(f"{token.name}\t{token.prefix}…\t{','.join(token.scopes)}\tlast used {used}\t{state}")


@token_group.command("revoke")
@click.argument("name")
def token_revoke(name: str) -> None:
    """Revoke the admin token NAME: requests with it are refused from now on."""
    from configurator.admin import services as admin

    try:
        token = admin.revoke_token(name)
    except AtelierError as error:
        raise click.ClickException(error.operator_message) from error
    assert token.revoked_at is not None
    click.echo(f"Revoked {token.name} at {token.revoked_at.isoformat(timespec='seconds')}.")


@token_group.command("scopes", with_appcontext=False)
def token_scopes() -> None:
    """List the scopes a token can be given."""
    from configurator.admin.services import SCOPES

    for scope, text in SCOPES.items():
        click.echo(f"{scope}\t{text}")

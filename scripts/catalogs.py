"""The message catalogs: extract the texts the code writes, compile the catalogs, check them.

    python scripts/catalogs.py extract [DOMAIN…]  # code -> each domain's .pot -> merged into every .po
    python scripts/catalogs.py compile [--force]  # .po -> .mo (only where the .po is newer)
    python scripts/catalogs.py check [DOMAIN…]    # exit 1 when a .pot is behind the code or a .po incomplete
    python scripts/catalogs.py merge DOMAIN FILE  # translations from a JSON file into the domain's .po

DOMAIN is `rules`, `messages` (the application) or `storefront` (pages, widget); all by default.

One gettext domain per layer, beside its code (`rules/i18n.py` says how they are read). `make
messages`, `make catalogs` and the tests call this; it is Babel's `pybabel` with our three domains.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "de")
PROJECT = "Atelier"
COPYRIGHT = "Atelier contributors"
_ENGINE_KEYWORDS = {"localized": None, "localized_plural": (1, 2)}
_GETTEXT_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
_SCRIPT_KEYWORDS = {"t": None, "tn": (1, 2)}


@dataclass(frozen=True)
class Domain:
    """One catalog: its name, its folder, and where its texts are written (Babel method mapping)."""

    name: str
    directory: str  # relative to ROOT; holds <name>.pot and <language>/LC_MESSAGES/<name>.po
    source: str  # the folder extracted, relative to ROOT
    methods: tuple[tuple[str, str], ...]
    keywords: dict[str, tuple[int, ...] | None]

    @property
    def template(self) -> Path:
        return ROOT / self.directory / f"{self.name}.pot"

    def po(self, language: str) -> Path:
        return ROOT / self.directory / language / "LC_MESSAGES" / f"{self.name}.po"


DOMAINS = (
    Domain("rules", "rules/locales", "rules", (("**.py", "python"),), _ENGINE_KEYWORDS),
    Domain(
        "messages",
        "configurator/translations",
        "configurator",
        (("**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")),
        {**_ENGINE_KEYWORDS, **_GETTEXT_KEYWORDS},
    ),
    Domain(
        "storefront",
        "storefront/translations",
        "storefront",
        (("static/**.js", "javascript"), ("templates/**.html", "jinja2"), ("**.py", "python")),
        {**_GETTEXT_KEYWORDS, **_SCRIPT_KEYWORDS},
    ),
)


def extracted(domain: Domain) -> Catalog:
    """The domain's texts as the code writes them now."""
    catalog = Catalog(project=PROJECT, copyright_holder=COPYRIGHT, fuzzy=False)
    found = extract_from_dir(
        str(ROOT / domain.source),
        method_map=list(domain.methods),
        keywords=domain.keywords,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        path = f"{domain.source}/{filename}"
        catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return catalog


def _write(path: Path, catalog: Catalog, **options: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=110, sort_output=True, **options)
    path.write_bytes(buffer.getvalue())


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def chosen(names: list[str]) -> tuple[Domain, ...]:
    unknown = set(names) - {domain.name for domain in DOMAINS}
    if unknown:
        raise SystemExit(f"unknown domain {', '.join(sorted(unknown))}: rules, messages or storefront")
    return tuple(domain for domain in DOMAINS if not names or domain.name in names)


def extract(domains: tuple[Domain, ...] = DOMAINS) -> None:
    for domain in domains:
        template = extracted(domain)
        _write(domain.template, template, omit_header=False)
        for language in LANGUAGES:
            path = domain.po(language)
            if path.exists():
                catalog = _read(path, language)
            else:
                catalog = Catalog(locale=language, project=PROJECT, copyright_holder=COPYRIGHT)
            catalog.update(template, no_fuzzy_matching=True)
            _write(path, catalog, ignore_obsolete=True)
        sys.stdout.write(f"{domain.name}: {len(template)} messages\n")


def compile_all(force: bool = False) -> list[Path]:
    """Compile every .po whose .mo is missing or older; the paths written."""
    written = []
    for domain in DOMAINS:
        for language in LANGUAGES:
            po = domain.po(language)
            mo = po.with_suffix(".mo")
            if not po.exists() or (not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime):
                continue
            buffer = io.BytesIO()
            write_mo(buffer, _read(po, language))
            mo.write_bytes(buffer.getvalue())
            written.append(mo)
    return written


# `{name}` (ours and the scripts') and `%(name)s` (Flask-Babel's, in templates).
def merge(domain: Domain, translated: dict[str, dict[str, Any]]) -> int:
    """Write translations given as JSON into the domain's catalogs, e.g. a translator's file:
    `{"Cart": {"fr": "Panier", "de": "Warenkorb"}, "{n} vote": {"plural": "{n} votes", "fr": [one,
    other], "de": [one, other]}}`. Messages the catalog does not have are left out (run `extract`
    first); the number of translations written. Plural forms are in the order of the language's
    CLDR categories (zero, one, two, few, many, other: those it has)."""
    written = 0
    for language in LANGUAGES:
        path = domain.po(language)
        catalog = _read(path, language)
        for message_id, texts in translated.items():
            message = catalog.get(message_id)
            if message is None or language not in texts:
                continue
            text = texts[language]
            if isinstance(message.id, tuple | list):
                # A translator may give fewer forms than CLDR counts (French has a third, for a
                # million and more): the last one given stands for the rest.
                forms = list(text) + [text[-1]] * (catalog.num_plurals - len(text))
                message.string = tuple(forms[: catalog.num_plurals])
            else:
                message.string = text
            message.flags.discard("fuzzy")
            written += 1
        _write(path, catalog, ignore_obsolete=True)
    return written


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}|%\(([A-Za-z_][A-Za-z0-9_]*)\)s")


def _parameters(text: str) -> set[str]:
    return {match.group(1) or match.group(2) for match in _PLACEHOLDER.finditer(text)}


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, tuple | list) else (message.id,)


def _strings(message: Message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, tuple | list) else (message.string,)


def problems(domains: tuple[Domain, ...] = DOMAINS) -> Iterator[str]:
    """Every way the catalogs fall short of the code: a stale template, a missing, fuzzy or empty
    translation, a translation that drops or invents a `{parameter}`."""
    for domain in domains:
        template_ids = {message.id for message in extracted(domain) if message.id}
        committed = {message.id for message in _read(domain.template) if message.id}
        for missing in sorted(map(str, template_ids - committed)):
            yield f"{_shown(domain.template)}: new text {missing!r}: run `make messages`"
        for gone in sorted(map(str, committed - template_ids)):
            yield f"{_shown(domain.template)}: {gone!r} is gone from the code: run `make messages`"
        for language in LANGUAGES:
            yield from _po_problems(domain, language, template_ids)


def _po_problems(domain: Domain, language: str, wanted: Iterable[object]) -> Iterator[str]:
    path = domain.po(language)
    where = _shown(path)
    if not path.exists():
        yield f"{where}: missing: run `make messages`"
        return
    catalog = _read(path, language)
    for wanted_id in wanted:
        message = catalog.get(wanted_id)  # type: ignore[arg-type]
        shown = _ids(message)[0] if message is not None else wanted_id
        if message is None:
            yield f"{where}: {shown!r} is not in the catalog: run `make messages`"
        elif message.fuzzy:
            yield f"{where}:{message.lineno}: {shown!r} is marked fuzzy: check the translation"
        elif not all(_strings(message)):
            yield f"{where}:{message.lineno}: {shown!r} has no translation"
        else:
            expected = set().union(*(_parameters(text) for text in _ids(message)))
            for text in _strings(message):
                found = _parameters(text)
                if found != expected and not (found < expected and expected - found == {"n"}):
                    yield (
                        f"{where}:{message.lineno}: {shown!r} is translated with the parameters "
                        f"{sorted(found)}, not {sorted(expected)}"
                    )


def main(arguments: list[str]) -> int:
    command = arguments[0] if arguments else ""
    names = [argument for argument in arguments[1:] if not argument.startswith("--")]
    if command == "extract":
        extract(chosen(names))
        return 0
    if command == "compile":
        for path in compile_all(force="--force" in arguments):
            sys.stdout.write(f"compiled {_shown(path)}\n")
        return 0
    if command == "merge" and len(names) == 2:
        (domain,) = chosen(names[:1])
        count = merge(domain, json.loads(Path(names[1]).read_text(encoding="utf-8")))
        sys.stdout.write(f"{count} translations written\n")
        return 0
    if command == "check":
        found = list(problems(chosen(names)))
        for problem in found:
            sys.stderr.write(problem + "\n")
        return 1 if found else 0
    sys.stderr.write(__doc__ or "")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

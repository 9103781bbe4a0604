"""A new option for a live product, as the files of its next version: how a campaign's winning
candidate joins the catalog.

The product's YAML is read from its live version and edited round-trip (ruamel.yaml keeps the
merchant's comments, order and quoting); the option is added to the attribute's `options` (a list
of keys becomes a mapping of keys to labels, which the language accepts alike). The answer carries
the new file so the merchant can put it in their own copy. Colours cannot be added this way: a
colour needs its hex value in the brand's palette first.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from sqlalchemy import select

from configurator.catalog import versions
from configurator.catalog.models import AssetBlob
from configurator.catalog.services import live_version
from configurator.errors import FieldError, ValidationFailed
from configurator.extensions import db
from rules.language.loader import BRAND_FILE
from rules.model import AttributeKind


@dataclass(frozen=True)
class NextVersion:
    files: dict[str, str]  # brand.yaml, <product>.yaml and the tables it names
    assets: dict[str, bytes]
    product_file: str  # the name of the product's file among `files`


def with_option(product: str, attribute: str, option: str, labels: dict[str, str]) -> NextVersion:
    """The live product's files with `option` (labelled per language) added to `attribute`."""
    version = live_version(product)
    model = versions.product_for(version).model
    found = model.attribute(attribute)
    if found is None:
        raise _refused("attribute", f"{product} has no attribute {attribute!r}.")
    if found.kind not in (AttributeKind.CHOICE, AttributeKind.MULTI, AttributeKind.COLOUR):
        raise _refused("attribute", f"{attribute!r} takes no options.")
    if found.kind == AttributeKind.COLOUR:
        raise _refused(
            "attribute",
            f"{attribute!r} takes colours: add {option!r} with its hex value to the brand's palette, "
            "then to the product's file.",
        )
    if found.option(option) is not None:
        raise _refused("option", f"{option!r} is already an option of {attribute!r}.")
    sources: dict[str, str] = dict(version.sources)
    text = sources.pop(versions.PRODUCT_FILE)
    editor = YAML()  # round-trip: comments and layout survive
    editor.width = 100
    editor.preserve_quotes = True
    document: Any = editor.load(text)
    spec = document["attributes"][attribute]
    if not isinstance(spec, dict) or "options" not in spec:
        raise _refused("attribute", f"{attribute!r} does not list its options in the product file.")
    options = spec["options"]
    if isinstance(options, list):
        listed = CommentedMap()
        for key in options:
            listed[str(key)] = CommentedMap()
        options = spec["options"] = listed
    label = CommentedMap(labels)
    label.fa.set_flow_style()
    options[option] = CommentedMap(label=label)
    written = io.StringIO()
    editor.dump(document, written)
    product_file = f"{product}.yaml"
    files = {
        BRAND_FILE: version.brand_version.source,
        product_file: written.getvalue(),
        **sources,
    }
    wanted = dict(version.assets or {})
    blobs = db.session.execute(
        select(AssetBlob.sha256, AssetBlob.data).where(AssetBlob.sha256.in_(wanted.values()))
    )
    by_digest = {digest: bytes(data) for digest, data in blobs}
    return NextVersion(files, {name: by_digest[digest] for name, digest in wanted.items()}, product_file)


def _refused(field: str, detail: str) -> ValidationFailed:
    return ValidationFailed(detail, errors=[FieldError(field, detail)])

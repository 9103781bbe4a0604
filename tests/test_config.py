"""Settings from the environment are typed by one schema, and nonsense is refused by name."""

from __future__ import annotations

import pytest

from configurator.config import load_config
from configurator.errors import ConfigurationError


def test_settings_from_the_environment_are_typed() -> None:
    config = load_config(
        environ={
            "ATELIER_SMTP_PORT": "25",
            "ATELIER_SMTP_STARTTLS": " No ",
            "ATELIER_PREVIEW_STORE_MB": "2.5",
            "ATELIER_TRUSTED_PROXIES": "0",
            "ATELIER_VERSIONS_CACHE_MB": "64",
        }
    )
    assert config["ATELIER_SMTP_PORT"] == 25
    assert config["ATELIER_SMTP_STARTTLS"] is False
    assert config["ATELIER_PREVIEW_STORE_MB"] == 2.5
    assert config["ATELIER_TRUSTED_PROXIES"] == 0
    assert config["ATELIER_VERSIONS_CACHE_MB"] == 64
    # Defaults given as numbers load to the same types as strings would.
    assert load_config(environ={})["ATELIER_SMTP_STARTTLS"] is True


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ATELIER_SMTP_PORT", "submission", "ATELIER_SMTP_PORT must be a whole number, not 'submission'."),
        ("ATELIER_UPLOAD_MAX_BYTES", "8.5", "ATELIER_UPLOAD_MAX_BYTES must be a whole number, not '8.5'."),
        ("ATELIER_MAIL_SWEEP_MINUTES", "0", "ATELIER_MAIL_SWEEP_MINUTES must be at least 1, not 0."),
        ("ATELIER_STRIPE_MAX_NETWORK_RETRIES", "-1", "ATELIER_STRIPE_MAX_NETWORK_RETRIES must be at least 0"),
        ("ATELIER_SMTP_STARTTLS", "maybe", "ATELIER_SMTP_STARTTLS must be true or false, not 'maybe'."),
        ("ATELIER_ANSWER_CACHE_MB", "lots", "ATELIER_ANSWER_CACHE_MB must be a number, not 'lots'."),
        ("ATELIER_PREVIEW_STORE_DAYS", "inf", "ATELIER_PREVIEW_STORE_DAYS must be 0 or more, and a number"),
    ],
)
def test_nonsense_is_refused_naming_the_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_config(environ={variable: value})
    assert str(refused.value).startswith(message)


def test_the_first_of_several_mistakes_is_named() -> None:
    with pytest.raises(ConfigurationError, match="^ATELIER_SMTP_PORT"):
        load_config(environ={"ATELIER_UPLOAD_MAX_BYTES": "x", "ATELIER_SMTP_PORT": "x"})


@pytest.mark.parametrize(
    "template",
    [
        "{order}-{view}",
        "{order}-{line}",
        "{order}/{line}-{view}",
        "{line}-{view}-{colour}",
        "{line}-{view",
        '"{line}{view}',
    ],
)
def test_a_proof_file_name_that_cannot_tell_files_apart_is_refused(template: str) -> None:
    with pytest.raises(ConfigurationError, match="^ATELIER_PROOF_FILE_NAME must name each file"):
        load_config(environ={"ATELIER_PROOF_FILE_NAME": template})


def test_proof_file_names_default_to_order_line_view() -> None:
    assert load_config(environ={})["ATELIER_PROOF_FILE_NAME"] == "{order}-{line}-{view}"
    chosen = load_config(environ={"ATELIER_PROOF_FILE_NAME": " {product}_{order}_{line_id:04d}_{view} "})
    assert chosen["ATELIER_PROOF_FILE_NAME"] == "{product}_{order}_{line_id:04d}_{view}"

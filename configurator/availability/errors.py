"""Errors of availability: an option the live product does not have, a pause that would end in the past."""

from __future__ import annotations

from configurator.errors import NotFound, ValidationFailed


class OptionNotFound(NotFound):
    """The live product has no such attribute with options, or no such option."""

    title = "Option not found"


class AvailabilityInvalid(ValidationFailed):
    title = "Availability not valid"

"""Errors of the community domain."""

from __future__ import annotations

from configurator.errors import AtelierError, ErrorCode, NotFound


class ConsentRequired(AtelierError):
    """Publishing, voting, reporting and suggesting are kept against a shopper: only with consent."""

    status = 403
    code = ErrorCode.CONSENT_REQUIRED
    title = "Consent needed"


class NotYourDesign(AtelierError):
    """A shopper may offer the gallery only designs they saved themselves."""

    status = 403
    code = ErrorCode.NOT_YOUR_DESIGN
    title = "Only your own designs"


class AlreadyInGallery(AtelierError):
    status = 409
    code = ErrorCode.ALREADY_IN_GALLERY
    title = "Already in the gallery"


class EntryNotFound(NotFound):
    """Unknown, or not visible to whoever asks: the same answer either way."""

    code = ErrorCode.GALLERY_ENTRY_NOT_FOUND
    title = "Gallery entry not found"


class IdeaNotFound(NotFound):
    code = ErrorCode.IDEA_NOT_FOUND
    title = "Idea not found"


class DecisionNotAllowed(AtelierError):
    """The entry's or idea's state does not allow this decision (approve a rejected entry...)."""

    status = 409
    code = ErrorCode.INVALID_TRANSITION
    title = "Not possible in this state"


class CampaignNotFound(NotFound):
    code = ErrorCode.CAMPAIGN_NOT_FOUND
    title = "Campaign not found"


class CampaignNotOpen(AtelierError):
    """Voting or pre-ordering outside the campaign's period."""

    status = 409
    code = ErrorCode.CAMPAIGN_NOT_OPEN
    title = "The campaign is not open"


class EditionFull(AtelierError):
    status = 409
    code = ErrorCode.EDITION_FULL
    title = "Not enough pieces left"

"""Bodies and answers of the community API: the gallery, votes, reports and the idea board, and the
merchant's moderation of them."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from configurator.api.admin_schemas import KEY, AdminPageQuerySchema, AdminPageSchema
from configurator.api.schemas import PreviewSchema
from configurator.api.shop_schemas import CreditSchema, StrictSchema
from configurator.community.gallery import Decision, Sort
from configurator.community.ideas import IdeaSort
from configurator.community.models import (
    IDEA_BODY_LENGTH,
    IDEA_TITLE_LENGTH,
    NAME_LENGTH,
    REASON_LENGTH,
    TITLE_LENGTH,
    EntryStatus,
    IdeaStatus,
    ReportReason,
)
from configurator.community.votes import SHUFFLE_MODULUS

# Limits in code points, generous against the graphemes the text policy counts (an accent or an
# emoji may take several): the policy then says precisely what is too long.
CODE_POINTS_PER_GRAPHEME = 4


def text_field(most: int, **kwargs: Any) -> fields.String:
    """A shopper's or merchant's text of at most `most` graphemes, bounded in code points here."""
    return fields.String(validate=validate.Length(min=1, max=most * CODE_POINTS_PER_GRAPHEME), **kwargs)


SEED = fields.Integer(
    validate=validate.Range(min=0, max=SHUFFLE_MODULUS - 1),
    load_default=None,
    metadata={"description": "Fixes a shuffled order across pages; a new order without it"},
)


# --- gallery ----------------------------------------------------------------------------------------


class GalleryQuerySchema(AdminPageQuerySchema):
    product = fields.String(validate=KEY, load_default=None)
    sort = fields.Enum(Sort, by_value=True, load_default=Sort.TOP)
    seed = SEED


class GalleryPublishSchema(StrictSchema):
    design = fields.String(required=True, validate=validate.Length(min=1, max=64))
    title = text_field(TITLE_LENGTH, required=True)
    display_name = text_field(NAME_LENGTH, required=True, metadata={"description": "Shown as the creator"})


class ReportCreateSchema(StrictSchema):
    reason = fields.Enum(ReportReason, by_value=True, required=True)
    note = text_field(REASON_LENGTH, load_default=None)


class EntryLinksSchema(Schema):
    self = fields.String(required=True)
    page = fields.String(required=True, metadata={"description": "The entry's storefront page"})
    design = fields.String(required=True, metadata={"description": "The design's page"})
    remix = fields.String(required=True, metadata={"description": "POST here to start from this design"})
    vote = fields.String(required=True, metadata={"description": "PUT to vote, DELETE to withdraw"})
    report = fields.String(required=True)


class EntrySchema(Schema):
    id = fields.String(required=True)
    product = fields.String(required=True)
    product_label = fields.String(required=True)
    title = fields.String(required=True)
    display_name = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": [s.value for s in EntryStatus]})
    reason = fields.String(
        allow_none=True, metadata={"description": "Why it was rejected or unpublished (its creator only)"}
    )
    design = fields.String(required=True)
    makeable = fields.Boolean(required=True, metadata={"description": "The live rules accept it"})
    preview = fields.Nested(PreviewSchema, allow_none=True)
    votes = fields.Integer(required=True)
    voted = fields.Boolean(required=True, metadata={"description": "The asking shopper voted for it"})
    mine = fields.Boolean(required=True)
    credits = fields.List(fields.Nested(CreditSchema), required=True)
    created_at = fields.DateTime(required=True)
    published_at = fields.DateTime(allow_none=True)
    links = fields.Nested(EntryLinksSchema, required=True)


class EntryListSchema(AdminPageSchema):
    items = fields.List(fields.Nested(EntrySchema), required=True)


class MyEntriesSchema(Schema):
    items = fields.List(fields.Nested(EntrySchema), required=True)


class VoteSchema(Schema):
    votes = fields.Integer(required=True)
    voted = fields.Boolean(required=True)


class ReportAcceptedSchema(Schema):
    received = fields.Boolean(required=True)


# --- ideas ------------------------------------------------------------------------------------------


class IdeaQuerySchema(AdminPageQuerySchema):
    status = fields.Enum(
        IdeaStatus,
        by_value=True,
        load_default=None,
        validate=validate.NoneOf([IdeaStatus.REMOVED]),
        metadata={"description": "Only ideas in this status; all listed ones without it"},
    )
    product = fields.String(validate=KEY, load_default=None)
    sort = fields.Enum(IdeaSort, by_value=True, load_default=IdeaSort.TOP)
    seed = SEED


class IdeaCreateSchema(StrictSchema):
    title = text_field(IDEA_TITLE_LENGTH, required=True)
    body = text_field(IDEA_BODY_LENGTH, required=True)
    product = fields.String(
        validate=KEY, load_default=None, metadata={"description": "The product it is about"}
    )
    display_name = text_field(NAME_LENGTH, load_default=None, metadata={"description": "Shown as its author"})


class FollowSchema(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class IdeaLinksSchema(Schema):
    self = fields.String(required=True)
    page = fields.String(required=True)
    vote = fields.String(required=True)
    follow = fields.String(required=True)


class IdeaSchema(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    display_name = fields.String(allow_none=True)
    product = fields.String(allow_none=True)
    product_label = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"enum": [s.value for s in IdeaStatus]})
    status_label = fields.String(required=True, metadata={"description": "The status as shoppers read it"})
    status_note = fields.String(allow_none=True)
    status_changed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)
    votes = fields.Integer(required=True)
    voted = fields.Boolean(required=True)
    following = fields.Boolean(required=True)
    mine = fields.Boolean(required=True)
    links = fields.Nested(IdeaLinksSchema, required=True)


class IdeaListSchema(AdminPageSchema):
    items = fields.List(fields.Nested(IdeaSchema), required=True)


class FollowingSchema(Schema):
    following = fields.Boolean(required=True)


# --- the merchant's side ----------------------------------------------------------------------------


class ModerationQuerySchema(AdminPageQuerySchema):
    status = fields.List(
        fields.Enum(EntryStatus, by_value=True),
        load_default=lambda: [EntryStatus.PENDING, EntryStatus.HELD],
        metadata={"description": "Repeat for several; pending and held without it"},
    )
    product = fields.String(validate=KEY, load_default=None)


class ReportSchema(Schema):
    reason = fields.String(required=True)
    note = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)


class ModeratedEntrySchema(EntrySchema):
    reports = fields.List(fields.Nested(ReportSchema), required=True, metadata={"description": "Open ones"})
    allowed = fields.List(fields.String(), required=True, metadata={"description": "Decisions possible now"})
    reviewed_at = fields.DateTime(allow_none=True)


class ModerationListSchema(AdminPageSchema):
    items = fields.List(fields.Nested(ModeratedEntrySchema), required=True)


class DecisionSchema(StrictSchema):
    decision = fields.Enum(Decision, by_value=True, required=True)
    reason = text_field(
        REASON_LENGTH, load_default=None, metadata={"description": "Needed to reject or unpublish"}
    )

    @validates_schema
    def _reason_given(self, data: dict[str, Any], **_: Any) -> None:
        if data["decision"] is not Decision.APPROVE and not (data.get("reason") or "").strip():
            raise ValidationError("Say why: the creator reads it.", "reason")


class AdminIdeaQuerySchema(AdminPageQuerySchema):
    status = fields.Enum(IdeaStatus, by_value=True, load_default=None)
    product = fields.String(validate=KEY, load_default=None)


class IdeaStatusSchema(StrictSchema):
    status = fields.Enum(IdeaStatus, by_value=True, required=True)
    note = text_field(REASON_LENGTH, load_default=None, metadata={"description": "Shown and mailed with it"})


class AdminIdeaListSchema(AdminPageSchema):
    items = fields.List(fields.Nested(IdeaSchema), required=True)

"""Every table of the app, imported in one place so Alembic and the app see the whole schema."""

from configurator.admin.models import AdminToken
from configurator.availability.models import OptionAvailability
from configurator.carts.models import Cart, CartLine
from configurator.catalog.models import AssetBlob, BrandVersion, ProductVersion
from configurator.community.models import (
    Campaign,
    Candidate,
    GalleryEntry,
    Idea,
    IdeaFollower,
    PreOrder,
    Report,
    Vote,
)
from configurator.designs.models import Design
from configurator.idempotency import IdempotencyKey
from configurator.insights.models import InsightCount
from configurator.mail.models import OutboxMessage
from configurator.orders.models import Order, OrderEvent, OrderLine
from configurator.partners.models import Partner, PartnerOrigin
from configurator.payments.models import Payment, ProviderEvent
from configurator.preferences.models import Consent, PreferenceEvent, Shopper
from configurator.proofs.models import Proof, ProofFailure
from configurator.uploads.models import Upload

__all__ = [
    "OptionAvailability",
    "AdminToken",
    "AssetBlob",
    "Campaign",
    "Candidate",
    "BrandVersion",
    "Cart",
    "CartLine",
    "Consent",
    "Design",
    "GalleryEntry",
    "Idea",
    "IdeaFollower",
    "IdempotencyKey",
    "InsightCount",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OutboxMessage",
    "Partner",
    "PartnerOrigin",
    "Payment",
    "PreOrder",
    "PreferenceEvent",
    "ProductVersion",
    "Proof",
    "ProofFailure",
    "ProviderEvent",
    "Report",
    "Shopper",
    "Upload",
    "Vote",
]

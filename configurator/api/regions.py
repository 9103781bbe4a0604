"""The regions of a country, for the address form: which to offer and whether the shop's tax needs one."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from configurator.api.shop_schemas import RegionsSchema
from configurator.carts import services
from configurator.errors import NotFound
from configurator.locale import mark_request_language, request_locale
from configurator.openapi import AtelierBlueprint
from configurator.wording import COUNTRY_UNKNOWN
from rules.countries import is_country
from rules.regions import region_name

blp = AtelierBlueprint(
    "regions",
    __name__,
    url_prefix="/api/v1/countries",
    description="Regions of countries (states, provinces) for shipping addresses",
)
blp.after_request(mark_request_language)


@blp.route("/<country>/regions")
class Regions(MethodView):
    @blp.response(200, RegionsSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, country: str) -> dict[str, Any]:
        """The regions of an ISO 3166-1 country a shopper picks from, named in the answer's language,
        and whether the shop's tax there depends on them (then an address needs one)."""
        if not is_country(country):
            technical = f"No ISO 3166-1 country {country!r}"
            raise NotFound(COUNTRY_UNKNOWN, extensions={"technical_detail": technical})
        required, offered = services.regions(country)
        language = request_locale()
        return {
            "country": country,
            "required": required,
            "regions": [{"code": r.code, "name": region_name(r.code, language)} for r in offered],
        }

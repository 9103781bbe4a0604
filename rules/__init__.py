"""Atelier's rules engine: the product language, compiled constraints, domains with reasons, prices.

Pure Python, no web framework or database: `from rules import load_catalog`.
"""

from rules.errors import CatalogError, Diagnostic, RulesError
from rules.product import Catalog, Product, load_catalog, load_product

__all__ = ["Catalog", "CatalogError", "Diagnostic", "Product", "RulesError", "load_catalog", "load_product"]

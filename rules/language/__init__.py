"""The catalog language: YAML brand and product files lowered into `rules.model` objects.

Every error of every file is collected and raised at once as `rules.errors.CatalogError`.
"""

from rules.language.loader import load_brand, load_catalog, load_product, load_stored_product

__all__ = ["load_brand", "load_catalog", "load_product", "load_stored_product"]

"""Benchmarks of the rules engine on real configuration models, with converters and a SAT baseline.

Not part of the product: nothing in `rules/`, `configurator/` or `storefront/` imports this package.
"""

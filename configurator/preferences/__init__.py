"""Shoppers' preferences, recorded only with their consent: pseudonymous shoppers, their consent
history, the events of configuring and buying, and the shopper's rights (export, erasure)."""

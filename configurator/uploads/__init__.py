"""Shoppers' photos: checked by their bytes, re-encoded without metadata, stored under unguessable ids."""

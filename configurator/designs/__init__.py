"""Saved designs: a shopper's configuration of one product version, shared by an unguessable id."""

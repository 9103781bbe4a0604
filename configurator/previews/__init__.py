"""Rendered previews: stored once per render key, served with HTTP caching."""

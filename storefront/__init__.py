"""Shopper pages and the embeddable widget (templates and static assets); talks only to the HTTP API."""

"""Outgoing e-mail through an outbox table: written with the order, sent later by a task."""

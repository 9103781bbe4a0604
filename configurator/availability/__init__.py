"""Availability: options a merchant takes off sale (sold out, or paused until a moment) without publishing."""

"""Orders: what a paid cart becomes, moving through explicit states the workshop advances."""

"""Carts and checkout: lines are saved designs with a quantity, always priced by the server."""

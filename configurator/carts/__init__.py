"""Carts: lines are saved designs with a quantity, always priced by the server. Checking a cart out
into an order and its payment is the payments domain's (`configurator.payments.services.checkout`)."""

"""Payments behind one small interface: Stripe PaymentIntents, or offline test payments for the demo."""

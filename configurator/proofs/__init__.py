"""Production proofs: every view of every order line at production size and a spec sheet, rendered once
an order is paid and served to the workshop through the admin API."""

"""Production proofs: a print file per view of every order line and a summary sheet per line, rendered
once an order is paid and served to the workshop through the admin API."""

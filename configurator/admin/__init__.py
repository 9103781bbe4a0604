"""The merchant's admin API: hashed tokens with scopes, orders, exports, designs, rule publishing."""

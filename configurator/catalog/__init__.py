"""The product catalog: loaded once at app start from YAML, answered by the rules engine."""

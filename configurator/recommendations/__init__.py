"""Recommendations: what shoppers who picked alike chose, learned from paid orders, never beyond the rules."""

"""Recommendations: what shoppers who picked alike chose, learned from paid orders and consented
designs, never beyond the rules."""

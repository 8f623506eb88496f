"""Validation targets from the literature and the simulated experiments that check them."""

"""Improving the intent model from real traffic: the review queue, training data, retraining, comparison, promotion."""

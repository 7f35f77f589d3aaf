"""From a stored message to its answer: storing whatever is down, answering within the reply budget, recovery."""

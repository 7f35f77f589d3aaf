"""The dialogue: one turn, the router that picks its handler, the declared flows and their stored state."""

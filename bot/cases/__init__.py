"""Cases: opening and routing them, their lifecycle, who may act on them, and the people behind them."""

"""Development tools kept outside the production package: the fake WeChat API and the chat simulator."""

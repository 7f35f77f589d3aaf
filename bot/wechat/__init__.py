"""WeChat at the edge of the domain: a message in, replies and customer-service messages out, attachments."""

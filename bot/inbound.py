"""One message from a resident as the domain sees it, whatever WeChat's XML looked like."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Inbound:
    """A resident's message or event, parsed and framework-free."""

    openid: str
    kind: str  # text, voice, image, location, link, video, event, unknown
    dedup_key: str
    create_time: int = 0
    text: str = ""
    media_id: str | None = None
    event: str | None = None
    event_key: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    extra: dict = field(default_factory=dict)
    # When it reached us (epoch seconds, our clock): recovery compares it with the dialogue's
    # last change, so a message kept for later never acts on a dialogue that moved on.
    received_at: float = 0.0

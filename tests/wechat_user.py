"""A resident as WeChat would deliver them: signed (optionally encrypted) XML to /wechat."""

from __future__ import annotations

import itertools
import time

from devtools.simulator import (
    build_request,
    event_xml,
    image_xml,
    location_xml,
    new_msg_id,
    parse_reply,
    text_xml,
    voice_xml,
)

_clock = itertools.count(int(time.time()))


class WeChatUser:
    """Sends messages through the real callback and reads the passive replies."""

    def __init__(self, client, settings, openid: str) -> None:
        self.client = client
        self.settings = settings
        self.openid = openid
        self.last_status = None

    def post(self, xml: str):
        """POST the XML the way WeChat does; returns the raw response."""
        settings = self.settings
        params, body = build_request(xml, settings.wechat_token, settings.wechat_aes_key or None, settings.wechat_appid)
        return self.client.post("/wechat", query_string=params, data=body, content_type="text/xml")

    def deliver(self, xml: str) -> str:
        """Deliver the XML and return the reply text ("" for success)."""
        response = self.post(xml)
        self.last_status = response.status_code
        assert response.status_code == 200, response.data
        settings = self.settings
        reply = parse_reply(
            response.data, settings.wechat_token, settings.wechat_aes_key or None, settings.wechat_appid
        )
        return (reply or {}).get("Content", "") or ""

    def says(self, text: str) -> str:
        """The resident types a message; returns the bot's reply."""
        return self.deliver(text_xml(self.openid, text, new_msg_id()))

    def sends_photo(self, media_id: str = "media-photo-1") -> str:
        """The resident sends a photo."""
        return self.deliver(image_xml(self.openid, media_id, new_msg_id()))

    def sends_voice(self, recognition: str | None) -> str:
        """The resident sends a voice note (with WeChat's recognition, or none)."""
        return self.deliver(voice_xml(self.openid, "media-voice-1", new_msg_id(), recognition=recognition))

    def sends_location(self, latitude: float, longitude: float) -> str:
        """The resident sends a location pin."""
        return self.deliver(location_xml(self.openid, latitude, longitude, new_msg_id(), label="江汉区"))

    def event(self, event: str, key: str | None = None) -> str:
        """An event from this resident (subscribe, CLICK …)."""
        return self.deliver(event_xml(self.openid, event, key, create_time=next(_clock)))


def converse(resident, script: list[tuple[str, str]]) -> list[str]:
    """Play the dialogue; each bot reply must contain the expected words."""
    replies = []
    for says, expected in script:
        reply = resident.says(says)
        assert expected in reply, f"\n居民：{says}\n机器人：{reply}\n（应包含：{expected}）"
        replies.append(reply)
    return replies

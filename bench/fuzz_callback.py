"""Fuzz the WeChat callback with signed (and, in safe mode, encrypted) generated inputs.

Every input carries a valid signature, so it reaches parsing and the bot: message types, field
values of every shape (huge numbers, NaN, 300-character ids, `]]>` and other XML-hostile text,
attributes on fields, a field repeated, elements inside a field), and Encrypt values that
decrypt to nonsense. Counts 5xx responses, replies that are not well-formed WeChat XML and
replies that are the error boundary's "系统有点忙" (an exception while answering); all must be 0.

    .venv/bin/python bench/fuzz_callback.py --examples 1200 --seed 1

In-process (Flask's test client), against a database, Redis prefix and fake WeChat API of its own.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bench.harness import AES_KEY, APPID, TOKEN  # noqa: E402
from devtools.simulator import BadReplyError, build_request, parse_reply, sha1_signature  # noqa: E402
from webhook.wechat import POLITE_ERROR  # noqa: E402

KINDS = ["text", "image", "voice", "location", "link", "video", "shortvideo", "event", "file", ""]
EVENTS = ["subscribe", "unsubscribe", "SCAN", "LOCATION", "CLICK", "VIEW", "subscribe_scan", "x" * 70]
HOSTILE = [
    "]]>",
    "]]]]]]>>>>",
    "<![CDATA[",
    "&amp;",
    "<",
    "\u2028",
    "\ufeff",
    "\U0001f600",
    "'",
    '"',
    "%s",
    "{}",
    "\\x00",
]
# Text XML can carry (no controls, no surrogates), mixed with pieces known to upset XML writers.
xml_text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=400),
    st.lists(st.sampled_from(HOSTILE) | st.text(max_size=5, alphabet="楼上漏水]>a1 "), max_size=30).map("".join),
)
number_like = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**140).map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e999", "", "0x10", "１２３", " 5 "]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    xml_text,
)
field_value = st.one_of(xml_text, number_like, st.text(alphabet="abcdefABCDEF0123456789_-", min_size=60, max_size=320))


@st.composite
def message_xml(draw) -> str:
    """A WeChat message whose every field may be odd."""
    kind = draw(st.sampled_from(KINDS))
    # Mostly well-formed headers, so most inputs reach the bot; one in four is odd.
    odd = draw(st.integers(0, 3)) == 0
    openid = (
        draw(st.one_of(st.text(alphabet="oabcXYZ0123456789_-", min_size=1, max_size=90), xml_text))
        if odd
        else draw(st.text(alphabet="oabcXYZ0123456789_-", min_size=20, max_size=30).map(lambda s: "o" + s))
    )
    fields = {
        "ToUserName": "gh_bench",
        "FromUserName": openid,
        "CreateTime": draw(number_like) if odd and draw(st.booleans()) else str(int(time.time())),
        "MsgType": kind,
        "MsgId": draw(number_like) if odd and draw(st.booleans()) else str(draw(st.integers(1, 10**19))),
    }
    extra_names = {
        "text": ["Content"],
        "image": ["PicUrl", "MediaId"],
        "voice": ["MediaId", "Format", "Recognition"],
        "location": ["Location_X", "Location_Y", "Scale", "Label"],
        "link": ["Title", "Description", "Url"],
        "event": ["Event", "EventKey", "Latitude", "Longitude", "Precision", "Ticket"],
    }.get(kind, ["MediaId", "ThumbMediaId"])
    for name in extra_names:
        if draw(st.booleans()) or name in ("Content", "Event"):
            fields[name] = (
                draw(st.sampled_from(EVENTS)) if name == "Event" and draw(st.booleans()) else draw(field_value)
            )
    parts = []
    for name, value in fields.items():
        shape, text = draw(st.integers(0, 11)), escape(str(value))
        if shape == 0:  # an attribute on the field
            parts.append(f'<{name} lang="zh">{text}</{name}>')
        elif shape == 1:  # the field twice
            parts.append(f"<{name}>{text}</{name}><{name}>{escape(draw(xml_text))}</{name}>")
        elif shape == 2:  # elements inside the field
            parts.append(f"<{name}><p>{text}</p><p>{escape(draw(xml_text))}</p></{name}>")
        else:
            parts.append(f"<{name}>{text}</{name}>")
    return "<xml>" + "".join(parts) + "</xml>"


@st.composite
def raw_encrypt(draw) -> str:
    """An Encrypt value: random bytes, or text that is not base64 at all."""
    if draw(st.booleans()):
        return base64.b64encode(draw(st.binary(max_size=96))).decode()
    return draw(st.text(alphabet="!=+/AZaz09", max_size=40))


class Tally:
    """What the fuzzed requests got back."""

    def __init__(self) -> None:
        self.statuses: Counter = Counter()
        self.broken: list[str] = []
        self.polite_errors: list[str] = []
        self.inputs = 0

    def check(self, response, safe: bool, params: dict, request_body: str = "") -> None:
        """Count one response; a 5xx, a reply WeChat cannot read or an error while answering is a failure."""
        self.inputs += 1
        self.statuses[response.status_code] += 1
        if response.status_code != 200:
            return
        try:
            reply = parse_reply(response.data, TOKEN, AES_KEY if safe else None, APPID, params)
        except (BadReplyError, ValueError) as error:
            self.broken.append(f"{error}")
            return
        if reply is not None and not isinstance(reply.get("Content"), str):
            self.broken.append(f"reply without text content: {reply!r}"[:300])
        elif reply is not None and reply["Content"] == POLITE_ERROR:
            self.polite_errors.append(request_body[:300])

    @property
    def server_errors(self) -> int:
        """How many responses were 5xx."""
        return sum(count for status, count in self.statuses.items() if status >= 500)


def fuzz(plain_client, safe_client, examples: int, random_seed: int) -> Tally:
    """Send `examples` generated inputs (half plaintext, half safe mode); return the tally."""
    tally = Tally()

    @seed(random_seed)
    @settings(
        max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=False
    )
    @given(xml=message_xml(), mode=st.sampled_from(["plain", "safe", "safe_raw"]), encrypt=raw_encrypt())
    def one(xml: str, mode: str, encrypt: str) -> None:
        if mode == "plain":
            params, body = build_request(xml, TOKEN)
            tally.check(plain_client.post("/wechat", query_string=params, data=body), False, params, xml)
            return
        if mode == "safe":
            params, body = build_request(xml, TOKEN, AES_KEY, APPID)
            tally.check(safe_client.post("/wechat", query_string=params, data=body), True, params, xml)
            return
        timestamp = str(int(time.time()))
        params = {
            "timestamp": timestamp,
            "nonce": "1",
            "encrypt_type": "aes",
            "msg_signature": sha1_signature(TOKEN, timestamp, "1", encrypt),
        }
        body = f"<xml><ToUserName>gh</ToUserName><Encrypt>{escape(encrypt)}</Encrypt></xml>".encode()
        tally.check(safe_client.post("/wechat", query_string=params, data=body), True, params)

    one()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=1500, help="generated inputs (at most 20000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()
    examples = min(args.examples, 20000)

    import dataclasses
    import logging

    from bench.harness import bench_services
    from webhook import create_app

    started = time.monotonic()
    with bench_services(safe=False) as (services, _fake):
        plain = create_app(services=services).test_client()
        safe_settings = dataclasses.replace(services.settings, wechat_aes_key=AES_KEY)
        safe = create_app(services=dataclasses.replace(services, settings=safe_settings)).test_client()
        logging.getLogger().setLevel(logging.CRITICAL)  # thousands of expected warnings
        tally = fuzz(plain, safe, examples, args.seed)
    elapsed = time.monotonic() - started
    print(f"inputs {tally.inputs}  seconds {elapsed:.1f}")
    print("statuses " + ", ".join(f"{status}: {count}" for status, count in sorted(tally.statuses.items())))
    print(
        f"5xx {tally.server_errors}  broken XML replies {len(tally.broken)}  "
        f"errors while answering {len(tally.polite_errors)}"
    )
    for example in tally.broken[:5]:
        print("  broken:", example)
    for example in tally.polite_errors[:5]:
        print("  error while answering:", example)
    if args.json:
        print(
            json.dumps(
                {
                    "inputs": tally.inputs,
                    "statuses": dict(tally.statuses),
                    "server_errors": tally.server_errors,
                    "broken_replies": len(tally.broken),
                    "errors_while_answering": len(tally.polite_errors),
                    "seconds": round(elapsed, 1),
                }
            )
        )
    sys.exit(1 if tally.server_errors or tally.broken or tally.polite_errors else 0)


if __name__ == "__main__":
    main()

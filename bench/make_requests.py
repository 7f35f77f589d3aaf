"""Write signed (optionally encrypted) WeChat callback requests, one per line, for bench/callback.lua.

Each line is `<path?query>\\t<body>` with the body's newlines removed. Every request has its own
MsgId, so the service handles each one fully (no reply-cache hits)."""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.simulator import build_request, new_msg_id, text_xml  # noqa: E402

# Messages the keyword classifier answers without opening a case, so each request is one full
# callback: verify, parse, dedup, store, classify, handler, reply.
MESSAGES = ["你好", "谢谢", "今天天气怎么样", "在吗", "我想问一下", "好的", "明天会下雨吗", "再见"]
# Residents' first messages as they really come (stories, legal questions, complaints, greetings):
# the held-out evaluation set, read here only as traffic (no model is trained or tuned on it).
FIRST_MESSAGES_FILE = Path(__file__).resolve().parent.parent / "nlu_eval" / "heldout.yml"


def first_messages() -> list[str]:
    """The texts of the held-out set, shuffled (fixed seed) so every second of a run sees the mix."""
    document = yaml.safe_load(FIRST_MESSAGES_FILE.read_text(encoding="utf-8"))
    texts = [
        line.removeprefix("- ").strip()
        for block in document["nlu"]
        for line in block["examples"].splitlines()
        if line.strip()
    ]
    random.Random(0).shuffle(texts)
    return texts


def main() -> None:
    """Write the requests file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument(
        "--openids",
        type=int,
        default=2000,
        help="distinct residents (0: each message from a new resident, a first message)",
    )
    parser.add_argument(
        "--messages",
        choices=("keyword", "first"),
        default="keyword",
        help="keyword: short messages answered without a case; first: residents' first messages",
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--sign-ahead",
        type=int,
        default=0,
        help="sign this many seconds in the future (≤ 55): the requests are signed before the "
        "run, and the webhook counts WeChat's 5 s from the signed timestamp",
    )
    args = parser.parse_args()
    timestamp = str(int(time.time()) + min(max(args.sign_ahead, 0), 55))
    token = os.environ.get("WECHAT_TOKEN", "dev-token")
    aes_key = os.environ.get("WECHAT_AES_KEY") or None
    appid = os.environ.get("WECHAT_APPID", "wx-dev-appid")
    messages = first_messages() if args.messages == "first" else MESSAGES
    run = secrets.token_hex(3)  # a new resident per message stays new across repeated runs
    with args.out.open("w", encoding="utf-8") as out:
        for number in range(args.count):
            resident = number % args.openids if args.openids else number
            openid = f"oBench{run}{resident:016d}"
            xml = text_xml(openid, messages[number % len(messages)], new_msg_id())
            params, body = build_request(xml, token, aes_key, appid, timestamp=timestamp)
            line = body.decode("utf-8").replace("\n", "")
            out.write(f"/wechat?{urlencode(params)}\t{line}\n")


if __name__ == "__main__":
    main()

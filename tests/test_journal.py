"""The journal of last resort: durable lines, replayed in order, each by the service it belongs to."""

from __future__ import annotations

import json

from bot.pipeline.journal import Journal, owner_of
from bot.wechat.inbound import Inbound


def _inbound(n: int) -> Inbound:
    return Inbound(openid=f"o_journal_{n:012d}", kind="text", dedup_key=f"msg:{n}", text=f"消息{n}")


def test_services_sharing_a_directory_replay_only_their_own_messages(tmp_path):
    # A test run, a benchmark and a second instance started from one checkout share var/journal.
    ours = Journal(tmp_path, owner_of("postgresql://…/ours", "lfd:"))
    theirs = Journal(tmp_path, owner_of("postgresql://…/bench", "bench1:"))
    ours.append(_inbound(1))
    theirs.append(_inbound(2))
    ours.append(_inbound(3))
    assert (ours.pending(), theirs.pending()) == (2, 1)
    replayed = []
    assert ours.replay(lambda inbound, raw: replayed.append(inbound.dedup_key) or True) == 2
    assert replayed == ["msg:1", "msg:3"]
    assert (ours.pending(), theirs.pending()) == (0, 1)
    assert theirs.replay(lambda inbound, raw: True) == 1
    assert not (tmp_path / "inbound.jsonl").read_text(encoding="utf-8").strip()


def test_a_line_written_before_owners_were_recorded_is_replayed(tmp_path):
    (tmp_path / "inbound.jsonl").write_text(
        json.dumps({"openid": "o_old", "kind": "text", "dedup_key": "msg:9"}) + "\n"
    )
    journal = Journal(tmp_path, owner_of("postgresql://…/ours", "lfd:"))
    seen = []
    assert journal.replay(lambda inbound, raw: seen.append(inbound.dedup_key) or True) == 1
    assert seen == ["msg:9"]


def test_when_the_database_is_down_again_the_rest_stays_in_order(tmp_path):
    journal = Journal(tmp_path, "owner-a")
    for n in range(4):
        journal.append(_inbound(n))
    calls = []
    assert journal.replay(lambda inbound, raw: calls.append(inbound.dedup_key) or len(calls) < 3) == 2
    assert journal.pending() == 2
    rest = []
    journal.replay(lambda inbound, raw: rest.append(inbound.dedup_key) or True)
    assert rest == ["msg:2", "msg:3"]


def test_a_torn_line_is_handed_over_as_none(tmp_path):
    (tmp_path / "inbound.jsonl").write_text('{"openid": "o_torn", "kind": "te\n')
    journal = Journal(tmp_path, "owner-a")
    handed = []
    assert journal.replay(lambda inbound, raw: handed.append(inbound) or True) == 1
    assert handed == [None]

"""The map of personal data (bot/cases/personal_data.py) covers every column of every model, and names
the Redis keys the de-duplication writes."""

from __future__ import annotations

import fnmatch

import bot.storage.models  # noqa: F401  (every model registered on Base.metadata)
from bot.cases.personal_data import (
    REDIS,
    TABLES,
    Erasure,
    Link,
    redis_glob,
    resident_tables,
    stale,
    unclassified,
)
from bot.storage.base import Base
from bot.wechat.inbound import event_key, message_key


def test_every_column_of_every_model_is_classified():
    # A new column must be declared: personal (with what erasure does to it) or not personal (why).
    assert unclassified(Base.metadata.tables) == []


def test_the_map_names_no_column_or_table_that_does_not_exist():
    assert stale(Base.metadata.tables) == []


def test_no_column_is_both_personal_and_not():
    for entry in TABLES:
        assert set(entry.personal) & set(entry.not_personal) == set(), entry.table


def test_each_resident_table_says_how_its_rows_are_found_and_is_named_for_admins():
    for entry in resident_tables():
        assert entry.link_column in Base.metadata.tables[entry.table].columns, entry.table
        assert entry.label, entry.table
    assert all(not entry.personal for entry in TABLES if entry.link is Link.NONE)


def test_a_deleted_row_is_deleted_whole_and_the_resident_row_keeps_only_a_tag():
    residents = next(entry for entry in TABLES if entry.table == "residents")
    assert residents.personal["openid"] is Erasure.TAG and not residents.deletes_rows
    review = next(entry for entry in TABLES if entry.table == "review_items")
    messages = next(entry for entry in TABLES if entry.table == "messages")
    # Review items point at messages: they go first, or the database refuses the messages' deletion.
    assert TABLES.index(review) < TABLES.index(messages)


def test_the_dedup_keys_of_a_resident_are_found_by_their_openid():
    openid = "o6_Kq1tXyZ-abc123DEF"
    keys = [
        f"lfd:dedup:{message_key('gh_account', openid, 24680)}",
        f"lfd:dedup:{event_key('gh_account', openid, 1700000000, 'subscribe', '')}",
    ]
    globs = [f"lfd:{redis_glob(data.pattern, openid)}" for data in REDIS]
    assert all(any(fnmatch.fnmatchcase(key, pattern) for pattern in globs) for key in keys)
    other = f"lfd:dedup:{message_key('gh_account', 'o6_SomeoneElse99', 24680)}"
    assert not any(fnmatch.fnmatchcase(other, pattern) for pattern in globs)
    assert redis_glob("rate:{openid}:{window}", "o*[x]") == r"rate:o\*\[x\]:*"

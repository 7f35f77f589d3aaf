"""Where a resident's personal data lives, and what erasing it does to each place: one map.

Export, erasure (a resident's request, `flask privacy delete`, the console) and the retention
purge all read this map; a test fails when a model gains a column it does not classify. Every
column of every table is either personal, with the rule erasure applies (`Erasure`), or declared
not personal with the reason. Tables are listed in the order erasure goes through them: rows that
point at others first (review items before the messages they quote).

What stays after an erasure is what the district's statistics need — each case's category, room,
role, status, urgency, dates and rating — tied to a one-way tag instead of the openid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Erasure(StrEnum):
    """What erasing a resident does to one column (or, for DELETE_ROW, to the whole row)."""

    DELETE_ROW = "delete_row"  # the row goes
    BLANK = "blank"  # text emptied
    NULL = "null"  # value removed (a phone, a place, a link to an erased row)
    TAG = "tag"  # replaced by the one-way tag of the openid (bot.cases.privacy.erased_tag)
    SCRUB_JSON = "scrub_json"  # free-text values replaced; the keys in AUDIT_KEPT_KEYS stay
    RESET = "reset"  # set back to its default (state that only made sense for the person)
    KEEP = "keep"  # kept for statistics: not identifying once the openid is a tag


class Link(StrEnum):
    """How a table's rows belong to a resident."""

    SELF = "self"  # the residents row itself
    RESIDENT = "resident"  # a resident_id column
    TICKET = "ticket"  # a ticket_id column: one of the resident's cases
    MESSAGE = "message"  # a message_id column: one of the resident's messages
    OPENID = "openid"  # an openid column
    PAYLOAD = "payload"  # the openid inside a text column (a dead letter's message as JSON)
    NONE = "none"  # no resident's data (staff, directory, FAQ, models)


@dataclass(frozen=True)
class TableMap:
    """One table: how its rows belong to a resident, and every column classified."""

    table: str
    link: Link
    personal: dict[str, Erasure] = field(default_factory=dict)
    not_personal: dict[str, str] = field(default_factory=dict)  # column → why it holds no personal data
    link_column: str = ""  # the column Link refers to (resident_id, ticket_id, message_id, openid, payload)
    label: str = ""  # what an admin reads in an erasure's summary
    # A text column that may name one of the resident's cases by its number: those rows are the
    # resident's too (a WeChat notice to staff quotes the start of the case's description).
    mentions: str = ""

    @property
    def deletes_rows(self) -> bool:
        """True when erasure removes this table's rows of the resident altogether."""
        return Erasure.DELETE_ROW in self.personal.values()


ID = "row number"
WHEN = "a date (statistics)"

TABLES: tuple[TableMap, ...] = (
    TableMap(
        "review_items",
        Link.MESSAGE,
        link_column="message_id",
        label="审核条目",
        personal={
            "text": Erasure.DELETE_ROW,  # masked, yet names the directory does not know stay in it
            "message_id": Erasure.DELETE_ROW,
        },
        not_personal={
            "id": ID,
            "reason": "why it was queued",
            "predicted_intent": "model output",
            "confidence": "model output",
            "suggested_intent": "model output",
            "status": "admin's decision",
            "label": "admin's decision",
            "faq_question": "admin's decision",
            "decided_by": "staff account",
            "decided_at": WHEN,
            "created_at": WHEN,
        },
    ),
    TableMap(
        "ticket_attachments",
        Link.TICKET,
        link_column="ticket_id",
        label="照片",
        personal={
            "content": Erasure.DELETE_ROW,  # the photo's bytes
            "media_id": Erasure.DELETE_ROW,
            "url": Erasure.DELETE_ROW,
        },
        not_personal={
            "id": ID,
            "ticket_id": "link to the kept case",
            "kind": "photo / voice",
            "fetch_error": "WeChat's error",
            "created_at": WHEN,
        },
    ),
    TableMap(
        "ticket_events",
        Link.TICKET,
        link_column="ticket_id",
        label="工单记录",
        personal={
            "note": Erasure.BLANK,  # staff's and the resident's words about the case
            "reason": Erasure.BLANK,  # why staff handed the case on, in their words about it
            "status": Erasure.KEEP,
            "actor": Erasure.KEEP,
            "created_at": Erasure.KEEP,
        },
        not_personal={"id": ID, "ticket_id": "link to the kept case", "handover": "how the case changed queues"},
    ),
    TableMap(
        "case_notes",
        Link.TICKET,
        link_column="ticket_id",
        label="工作人员备注",
        personal={
            "text": Erasure.BLANK,
            "created_at": Erasure.KEEP,
        },
        not_personal={"id": ID, "ticket_id": "link to the kept case", "staff_id": "staff account"},
    ),
    TableMap(
        "audit_log",
        Link.TICKET,
        link_column="ticket_id",
        label="操作记录",
        personal={
            "before": Erasure.SCRUB_JSON,
            "after": Erasure.SCRUB_JSON,  # a question, an outcome, a place
            "action": Erasure.KEEP,
            "created_at": Erasure.KEEP,
        },
        not_personal={
            "id": ID,
            "staff_id": "staff account",
            "actor": "staff account",
            "ticket_id": "link to the kept case",
        },
    ),
    TableMap(
        "handoffs",
        Link.RESIDENT,
        link_column="resident_id",
        label="人工接管",
        personal={
            "started_at": Erasure.KEEP,
            "last_activity_at": Erasure.KEEP,
            "alerted_at": Erasure.KEEP,
            "released_at": Erasure.KEEP,
            "release_reason": Erasure.KEEP,
        },
        not_personal={
            "id": ID,
            "resident_id": "link to the anonymous resident row",
            "ticket_id": "link to the kept case",
            "staff_id": "staff account",
        },
    ),
    TableMap(
        "messages",
        Link.RESIDENT,
        link_column="resident_id",
        label="消息",
        personal={
            "content": Erasure.DELETE_ROW,
            "media_id": Erasure.DELETE_ROW,
            "extra": Erasure.DELETE_ROW,
            "dedup_key": Erasure.DELETE_ROW,  # holds the openid
        },
        not_personal={
            "id": ID,
            "resident_id": "link",
            "direction": "in / out",
            "msg_type": "kind of message",
            "intent": "model output",
            "confidence": "model output",
            "ticket_id": "link to the kept case",
            "answered_at": WHEN,
            "created_at": WHEN,
            "delivery": "how the answer went out",
            "reply_to_id": "link to the message answered",
        },
    ),
    TableMap(
        "outbound_messages",
        Link.RESIDENT,
        link_column="resident_id",
        label="客服消息",
        mentions="content",
        personal={
            "openid": Erasure.DELETE_ROW,
            "content": Erasure.DELETE_ROW,
            "last_error": Erasure.DELETE_ROW,
        },
        not_personal={
            "id": ID,
            "resident_id": "link",
            "status": "delivery state",
            "claimed_at": WHEN,
            "attempts": "count",
            "created_at": WHEN,
            "sent_at": WHEN,
        },
    ),
    TableMap(
        "dead_letters",
        Link.PAYLOAD,
        link_column="payload",
        label="无法保存的消息",
        personal={
            "payload": Erasure.DELETE_ROW,
            "reason": Erasure.DELETE_ROW,
        },
        not_personal={"id": ID, "source": "callback / spill / journal", "created_at": WHEN},
    ),
    TableMap(
        "dialogue_states",
        Link.OPENID,
        link_column="openid",
        label="对话状态",
        personal={
            "openid": Erasure.DELETE_ROW,
            "state": Erasure.DELETE_ROW,  # a draft story, a phone being asked
        },
        not_personal={"changed_at": WHEN},
    ),
    TableMap(
        "privacy_requests",
        Link.RESIDENT,
        link_column="resident_id",
        label="删除申请",
        personal={
            "requested_at": Erasure.KEEP,
            "handled_at": Erasure.KEEP,
        },
        not_personal={
            "id": ID,
            "resident_id": "link to the anonymous resident row",
            "status": "open / done",
            "due_at": WHEN,
            "handled_by": "staff account",
            "erased": "row counts",
            "error": "why an attempt failed",
        },
    ),
    TableMap(
        "tickets",
        Link.RESIDENT,
        link_column="resident_id",
        label="工单（匿名保留统计）",
        personal={
            "description": Erasure.BLANK,
            "contact_phone": Erasure.NULL,
            "rating_comment": Erasure.NULL,
            "mediation_place": Erasure.BLANK,  # may be the resident's home
            "opening_message_id": Erasure.NULL,  # its message is erased
            "category": Erasure.KEEP,
            "unit_id": Erasure.KEEP,
            "escalated_from_id": Erasure.KEEP,
            "community_id": Erasure.KEEP,  # the community the case came from, counted in reports
            "role": Erasure.KEEP,
            "status": Erasure.KEEP,
            "urgent": Erasure.KEEP,
            "collective": Erasure.KEEP,
            "rating": Erasure.KEEP,
            "due_at": Erasure.KEEP,
            "first_response_at": Erasure.KEEP,
            "resolution_due_at": Erasure.KEEP,
            "mediation_at": Erasure.KEEP,
            "resolved_at": Erasure.KEEP,
            "created_at": Erasure.KEEP,
            "updated_at": Erasure.KEEP,
            "person_requested_at": Erasure.KEEP,
            "person_alerted_at": Erasure.KEEP,
            "resident_wrote_at": Erasure.KEEP,
        },
        not_personal={
            "id": ID,
            "number": "the case's number",
            "resident_id": "link to the anonymous resident row",
            "handler_id": "staff account",
        },
    ),
    TableMap(
        "residents",
        Link.SELF,
        link_column="id",
        label="居民资料",
        personal={
            "openid": Erasure.TAG,
            "phone": Erasure.NULL,
            "latitude": Erasure.NULL,
            "longitude": Erasure.NULL,
            "has_deferred": Erasure.RESET,  # the messages it waited for are erased
            "community_id": Erasure.KEEP,
            "subscribed": Erasure.KEEP,
            "last_interaction_at": Erasure.KEEP,
            "created_at": Erasure.KEEP,
        },
        not_personal={"id": ID},
    ),
    # No resident's data in these.
    TableMap(
        "units",
        Link.NONE,
        not_personal={
            column: "the public directory of rooms"
            for column in (
                "id",
                "code",
                "name",
                "office_name",
                "aliases",
                "level",
                "parent_id",
                "address",
                "phone",
                "hours",
                "latitude",
                "longitude",
                "division_code",
                "seed_hash",
                "edited_by",
                "edited_at",
            )
        },
    ),
    TableMap(
        "staff",
        Link.NONE,
        not_personal={
            column: "a staff member's own account"
            for column in (
                "id",
                "username",
                "name",
                "role",
                "unit_id",
                "password_hash",
                "active",
                "wechat_openid",
                "last_login_at",
                "seed_hash",
                "edited_by",
                "edited_at",
            )
        },
    ),
    TableMap(
        "directory_imports",
        Link.NONE,
        not_personal={
            column: "a directory file an admin imported: rooms and staff accounts, never a resident"
            for column in (
                "id",
                "filename",
                "content",
                "file_hash",
                "diff_hash",
                "uploaded_by",
                "uploaded_at",
                "applied_by",
                "applied_at",
            )
        },
    ),
    TableMap(
        "login_attempts",
        Link.NONE,
        not_personal={
            column: "staff log-ins that failed: a client address and an account, never a resident"
            for column in ("id", "address", "staff_id", "failures", "last_failed_at", "locked_until")
        },
    ),
    TableMap(
        "staff_rooms",
        Link.NONE,
        not_personal={column: "which rooms a staff member serves" for column in ("id", "staff_id", "unit_id", "role")},
    ),
    TableMap(
        "canned_answers",
        Link.NONE,
        not_personal={column: "staff's standard replies" for column in ("id", "unit_id", "role", "title", "text")},
    ),
    TableMap(
        "faq_entries",
        Link.NONE,
        not_personal={
            **{
                column: "the public FAQ"
                for column in ("id", "intent", "category", "question", "answer", "source", "citations", "seed_hash")
            },
            **{
                column: "staff's edits and reviews of the public FAQ"
                for column in ("edited_by", "edited_at", "reviewed_by", "reviewed_at", "updated_at")
            },
        },
    ),
    TableMap(
        "faq_drafts",
        Link.NONE,
        not_personal={
            column: "a staff member's drafted change to the public FAQ"
            for column in (
                "id",
                "entry_id",
                "question",
                "answer",
                "citations",
                "based_on",
                "note",
                "drafted_by",
                "drafted_at",
                "status",
                "decided_by",
                "decided_at",
                "decision_note",
            )
        },
    ),
    TableMap(
        "nlu_models",
        Link.NONE,
        not_personal={
            column: "a trained model's record"
            for column in (
                "id",
                "version",
                "model_file",
                "data_hash",
                "config_hash",
                "status",
                "stage",
                "epoch",
                "epochs",
                "seconds_left",
                "log",
                "error",
                "metrics",
                "compared_with_id",
                "comparison",
                "trained_by",
                "started_at",
                "finished_at",
                "promoted_by",
                "promoted_at",
                "override_reason",
            )
        },
    ),
)

# Audit-log values that are ids, statuses and the admin's labels: they stay; every other value
# (a question to the resident, an outcome, a mediation place) is replaced by ERASED_TEXT.
AUDIT_KEPT_KEYS = frozenset(
    {
        "status",
        "unit_id",
        "role",
        "mediation_at",
        "outbound_ids",
        "note_id",
        "handoff_id",
        "items",
        "label",
        "request_id",
        "erased",
    }
)
ERASED_TEXT = "〔已删除〕"


class KeyErasure(StrEnum):
    """What erasure does to a Redis key or list."""

    DELETE_KEY = "delete_key"
    REMOVE_ENTRIES = "remove_entries"  # the resident's entries of a shared list


@dataclass(frozen=True)
class RedisData:
    """A Redis key pattern (after KEY_PREFIX) that can hold a resident's data."""

    pattern: str  # `{openid}` marks where the resident's openid stands; other {…} are any value
    holds: str
    erasure: KeyErasure


REDIS: tuple[RedisData, ...] = (
    RedisData(
        "dedup:msg:{account}:{openid}:{msgid}", "the cached passive reply (names, phones)", KeyErasure.DELETE_KEY
    ),
    RedisData(
        "dedup:evt:{account}:{openid}:{create_time}:{event}", "the cached reply to an event", KeyErasure.DELETE_KEY
    ),
    RedisData(
        "dedup:evt:{openid}:{create_time}", "the same, as keyed before keys named the account", KeyErasure.DELETE_KEY
    ),
    RedisData("rate:{openid}:{window}", "how many messages this minute", KeyErasure.DELETE_KEY),
    RedisData(
        "inbox:unsaved", "messages kept while the database was down (JSON with the openid)", KeyErasure.REMOVE_ENTRIES
    ),
)
# Keys that never hold a resident's data (ids, tokens, digests), so erasure leaves them alone.
REDIS_NOT_PERSONAL = {
    "jobs…": "the job queue: case, message and attachment ids only",
    "wechat:access_token…": "the account's token",
    "rasa:draining": "Rasa servers being switched",
    "signed:{timestamp}:{nonce}": "a digest of a request body",
}


class FileErasure(StrEnum):
    """What erasure does to a file."""

    REMOVE_LINES = "remove_lines"  # the resident's lines go, the rest stays
    REWRITE = "rewrite"  # written again from the database, without the resident's rows
    KEEP = "keep"  # holds no identifying data


@dataclass(frozen=True)
class FileData:
    """A file (or kind of file) that can hold a resident's data."""

    where: str
    holds: str
    erasure: FileErasure


FILES: tuple[FileData, ...] = (
    FileData(
        "JOURNAL_DIR/inbound.jsonl",
        "messages neither the database nor Redis took (JSON with the openid)",
        FileErasure.REMOVE_LINES,
    ),
    FileData(
        "NLU_REVIEWED_FILE (nlu_data/reviewed.yml)",
        "masked messages an admin accepted as training examples",
        FileErasure.REWRITE,
    ),
    FileData(
        "photos and voice notes", "kept in the database (ticket_attachments.content), never on disk", FileErasure.KEEP
    ),
    FileData(
        "service logs (var/*.log, stderr)",
        "openids only as a pseudonym (r:…, bot/redaction.py), no message text",
        FileErasure.KEEP,
    ),
    FileData("nginx access log (deploy/)", "no query string, so no openid", FileErasure.KEEP),
    FileData(
        "trained models (NLU_MODELS_DIR)",
        "statistics learnt from masked examples; the next training leaves out the erased examples",
        FileErasure.KEEP,
    ),
)


def table_map(table: str) -> TableMap | None:
    """The map of one table, if it is listed."""
    return next((entry for entry in TABLES if entry.table == table), None)


def resident_tables() -> tuple[TableMap, ...]:
    """The tables that can hold a resident's data, in erasure order."""
    return tuple(entry for entry in TABLES if entry.link is not Link.NONE)


def unclassified(tables: dict) -> list[str]:
    """`table.column` of every column that the map does not classify (`tables`: name → Table)."""
    missing = []
    for name, table in tables.items():
        entry = table_map(name)
        classified = set(entry.personal) | set(entry.not_personal) if entry else set()
        missing += [f"{name}.{column.name}" for column in table.columns if column.name not in classified]
    return sorted(missing)


def stale(tables: dict) -> list[str]:
    """`table.column` the map classifies but no model has (a column renamed or dropped), and
    tables the map lists that do not exist."""
    found = []
    for entry in TABLES:
        table = tables.get(entry.table)
        names = {column.name for column in table.columns} if table is not None else set()
        found += [f"{entry.table}.{name}" for name in sorted({*entry.personal, *entry.not_personal} - names)]
    return found


def redis_glob(pattern: str, openid: str) -> str:
    """The SCAN pattern of a key pattern for one resident (the openid escaped, the rest any)."""
    escaped = "".join(f"\\{char}" if char in "*?[]\\" else char for char in openid)
    parts = pattern.split("{openid}")
    wild = [_wildcards(part) for part in parts]
    return escaped.join(wild)


def _wildcards(text: str) -> str:
    out, depth = [], 0
    for char in text:
        if char == "{":
            depth += 1
            out.append("*")
        elif char == "}":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)

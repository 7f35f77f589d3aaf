"""Break the service on purpose and count what happened to every message.

Each fault runs against a service of its own (fresh database, Redis prefix, fake WeChat API;
bench/harness.py), in process: requests go through the real callback (Flask's test client) from
8 threads, jobs run in an RQ worker in this process. Faults are injected by swapping a part for
an unreachable one (database, Redis, Rasa), by the fake WeChat API's own delays, or by leaving
sends claimed as a dying worker would. Prints, per fault: messages sent / stored / set aside as
dead letters / lost, duplicate tickets, duplicate customer-service messages, 5xx and replies
later than 5 s.

    .venv/bin/python bench/fault_run.py                 # every fault, 120 messages each
    .venv/bin/python bench/fault_run.py --only db_down --messages 300
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.harness import TOKEN, bench_services  # noqa: E402
from bot.nlu import build_classifier  # noqa: E402
from bot.pipeline.journal import Journal  # noqa: E402
from bot.pipeline.recovery import replay_kept  # noqa: E402
from bot.pipeline.spill import spill  # noqa: E402
from bot.storage import Database  # noqa: E402
from bot.storage.base import utcnow  # noqa: E402
from bot.storage.dead_letters import DeadLetter  # noqa: E402
from bot.storage.messages import Message  # noqa: E402
from bot.storage.outbox import OutboundMessage  # noqa: E402
from bot.storage.residents import touch_resident  # noqa: E402
from bot.storage.tickets import Ticket  # noqa: E402
from bot.wechat.inbound import Inbound, message_key  # noqa: E402
from bot.wechat.outbox import claim_seconds, queue_message, requeue_stuck  # noqa: E402
from devtools.simulator import DEFAULT_TO_USER, build_request, new_msg_id, parse_reply, text_xml  # noqa: E402
from webhook import create_app  # noqa: E402

NOWHERE_DB = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
GREETINGS = ["你好", "您好，请问在吗", "谢谢", "我的工单"]


@dataclass
class Figures:
    """What one fault run produced."""

    fault: str
    sent: int = 0
    stored: int = 0
    dead_letters: int = 0
    lost: int = 0
    duplicate_tickets: int = 0
    customer_service_sent: int = 0
    duplicate_customer_service: int = 0
    server_errors: int = 0
    over_5s: int = 0
    notes: dict = field(default_factory=dict)


def _post(client, xml: str):
    params, body = build_request(xml, TOKEN)
    started = time.monotonic()
    response = client.post("/wechat", query_string=params, data=body)
    return response, time.monotonic() - started


def _send_all(services, messages: list[tuple[str, str, int]], figures: Figures) -> list[str]:
    """Deliver (openid, text, msg_id) messages from 8 threads; returns the reply texts."""
    app = create_app(services=services)

    def one(item):
        openid, text, msg_id = item
        response, elapsed = _post(app.test_client(), text_xml(openid, text, msg_id))
        reply = parse_reply(response.data, TOKEN) if response.status_code == 200 else None
        return response.status_code, elapsed, (reply or {}).get("Content", "")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, messages))
    figures.sent += len(messages)
    figures.server_errors += sum(1 for status, _, _ in results if status >= 500)
    figures.over_5s += sum(1 for _, elapsed, _ in results if elapsed > 5.0)
    return [reply for _, _, reply in results]


def _settle(services, fake, figures: Figures, keys: list[str]) -> None:
    """Run the jobs, then count stored, dead letters, lost, duplicates."""
    services.jobs.work(burst=True)
    with services.db.session() as session:
        stored = session.scalar(select(func.count()).select_from(Message).where(Message.dedup_key.in_(keys)))
        letters = list(session.scalars(select(DeadLetter.payload)))
        dead = sum(1 for key in keys if any(key in payload for payload in letters))
        figures.duplicate_tickets += session.scalar(
            select(func.count()).select_from(
                select(Ticket.opening_message_id)
                .where(Ticket.opening_message_id.is_not(None))
                .group_by(Ticket.opening_message_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
    figures.stored, figures.dead_letters = stored, dead
    figures.lost = len(keys) - stored - dead
    sent = fake.messages()
    figures.customer_service_sent = len(sent)
    copies = Counter((m["touser"], m["content"]) for m in sent)
    figures.duplicate_customer_service = sum(count - 1 for count in copies.values() if count > 1)


def _messages(count: int, residents: int = 40) -> list[tuple[str, str, int]]:
    run = uuid.uuid4().hex[:6]
    return [(f"o_fault_{run}_{i % residents:04d}", GREETINGS[i % len(GREETINGS)], new_msg_id()) for i in range(count)]


def fault_db_down(count: int) -> Figures:
    """The database unreachable for the middle third of the messages, then back; the sweep replays."""
    figures = Figures("database down")
    with bench_services() as (services, fake):
        messages = _messages(count)
        third = count // 3
        _send_all(services, messages[:third], figures)
        working = services.db
        services.db = Database(NOWHERE_DB)
        _send_all(services, messages[third : 2 * third], figures)
        services.db = working
        _send_all(services, messages[2 * third :], figures)
        figures.notes["replayed"] = replay_kept(services).stored
        _settle(services, fake, figures, [message_key(DEFAULT_TO_USER, m[0], m[2]) for m in messages])
    return figures


def fault_db_and_redis_down(count: int) -> Figures:
    """Database and Redis both unreachable for the middle third: the journal keeps the messages."""
    figures = Figures("database and Redis down")
    with bench_services() as (services, fake), tempfile.TemporaryDirectory() as journal_dir:
        services.journal = Journal(Path(journal_dir))
        messages = _messages(count)
        third = count // 3
        _send_all(services, messages[:third], figures)
        working_db, working_redis = services.db, services.redis
        services.db = Database(NOWHERE_DB)
        services.redis = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
        _send_all(services, messages[third : 2 * third], figures)
        figures.notes["journalled"] = services.journal.pending()
        services.db, services.redis = working_db, working_redis
        figures.notes["replayed"] = replay_kept(services).stored
        _send_all(services, messages[2 * third :], figures)
        _settle(services, fake, figures, [message_key(DEFAULT_TO_USER, m[0], m[2]) for m in messages])
    return figures


def fault_poison_in_replay(count: int) -> Figures:
    """Messages the database refuses for their content, spilled among good ones: none blocks the rest."""
    figures = Figures("poison messages in the replay")
    with bench_services() as (services, fake):
        good = [
            Inbound(openid=f"o_poison_good_{i:04d}", kind="text", dedup_key=f"msg:{new_msg_id()}", text="你好")
            for i in range(count)
        ]
        poison = [
            Inbound(openid=f"o_poison_bad_{i:04d}", kind="image", dedup_key=f"msg:{new_msg_id()}", media_id="m" * 300)
            for i in range(count // 10)
        ]
        mixed = [
            item
            for pair in zip(good, poison + [None] * (len(good) - len(poison)), strict=True)
            for item in pair
            if item is not None
        ]
        for inbound in mixed:
            spill(services.redis, services.settings.key_prefix, inbound)
        figures.sent = len(mixed)
        figures.notes["replayed"] = replay_kept(services).stored
        _settle(services, fake, figures, [inbound.dedup_key for inbound in mixed])
    return figures


def fault_retry_storm(count: int) -> Figures:
    """Every message delivered three times at once, as WeChat's retries can arrive."""
    figures = Figures("retry storm (3 deliveries each)")
    with bench_services() as (services, fake):
        messages = _messages(count)
        replies = _send_all(services, [m for m in messages for _ in range(3)], figures)
        figures.notes["deliveries"] = figures.sent
        figures.notes["empty_replies"] = sum(1 for reply in replies if not reply)
        figures.sent = count
        _settle(services, fake, figures, [message_key(DEFAULT_TO_USER, m[0], m[2]) for m in messages])
    return figures


def fault_rasa_down(count: int) -> Figures:
    """Rasa unreachable: FAQ questions (the FAQ's own model questions) answered, or taken as cases?"""
    from bot.nlu.faq_file import read_faq_file

    figures = Figures("Rasa down, FAQ questions")
    with bench_services(nlu_backend="rasa", rasa_url="http://127.0.0.1:9") as (services, fake):
        services.classifier = build_classifier(services.settings)
        questions = [entry["question"] for entry in read_faq_file()]
        run = uuid.uuid4().hex[:6]
        messages = [(f"o_rasa_down_{run}_{i:04d}", question, new_msg_id()) for i, question in enumerate(questions)]
        _send_all(services, messages, figures)
        _settle(services, fake, figures, [message_key(DEFAULT_TO_USER, m[0], m[2]) for m in messages])
        with services.db.session() as session:
            intents = Counter(
                session.scalars(
                    select(Message.intent).where(
                        Message.dedup_key.in_([message_key(DEFAULT_TO_USER, m[0], m[2]) for m in messages])
                    )
                )
            )
        figures.notes["faq_answered"] = sum(
            count for intent, count in intents.items() if intent and intent.startswith("faq_")
        )
        figures.notes["intakes"] = sum(
            count
            for intent, count in intents.items()
            if intent in ("legal_consultation", "neighbor_dispute", "property_complaint", "intake", "clarify")
        )
        figures.notes["questions"] = len(questions)
    return figures


def fault_wechat_slow(count: int) -> Figures:
    """The WeChat API answers after 2.5 s (the call timeout is 2 s) for every send."""
    figures = Figures("WeChat API slower than its timeout")
    with bench_services() as (services, fake):
        fake.fail(delay=2.5, times=count)
        run = uuid.uuid4().hex[:6]
        with services.db.session() as session:
            for i in range(count):
                queue_message(session, services.jobs, touch_resident(session, f"o_slow_{run}_{i:04d}"), f"通知 {i}")
        figures.sent = count
        started = time.monotonic()
        _settle(services, fake, figures, [])
        figures.lost = count - len({m["content"] for m in fake.messages()})
        figures.stored = figures.dead_letters = 0
        figures.notes["seconds"] = round(time.monotonic() - started, 1)
    return figures


def fault_worker_killed_mid_send(count: int) -> Figures:
    """Jobs that died after claiming their message (half of them after WeChat delivered it)."""
    figures = Figures("worker killed mid-send")
    with bench_services() as (services, fake):
        run = uuid.uuid4().hex[:6]
        with services.db.session() as session:
            for i in range(count):
                resident = touch_resident(session, f"o_killed_{run}_{i:04d}")
                session.add(
                    OutboundMessage(
                        resident_id=resident.id,
                        openid=resident.openid,
                        content=f"通知 {i}",
                        status="sending",
                        attempts=1,
                        claimed_at=utcnow() - timedelta(hours=1),
                    )
                )
        # Half the dead jobs had reached WeChat before dying: those the rule sends again.
        for i in range(0, count, 2):
            services.wechat.send_text(f"o_killed_{run}_{i:04d}", f"通知 {i}")
        with services.db.session() as session:
            figures.notes["picked_up"] = requeue_stuck(session, services.jobs, claim_seconds(services))
        figures.sent = count
        _settle(services, fake, figures, [])
        figures.lost = count - len({m["content"] for m in fake.messages()})
        figures.stored = figures.dead_letters = 0
    return figures


FAULTS = {
    "db_down": fault_db_down,
    "db_and_redis_down": fault_db_and_redis_down,
    "poison": fault_poison_in_replay,
    "retry_storm": fault_retry_storm,
    "rasa_down": fault_rasa_down,
    "wechat_slow": fault_wechat_slow,
    "worker_killed": fault_worker_killed_mid_send,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=120, help="messages per fault (at most 2000)")
    parser.add_argument("--only", choices=sorted(FAULTS), action="append")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.CRITICAL)
    count = max(3, min(args.messages, 2000))
    rows = []
    for name in args.only or list(FAULTS):
        figures = FAULTS[name](count if name not in ("wechat_slow",) else min(count, 20))
        logging.getLogger().setLevel(logging.CRITICAL)
        rows.append(figures)
        print(
            f"{figures.fault:38} sent {figures.sent:4} stored {figures.stored:4} dead {figures.dead_letters:3} "
            f"lost {figures.lost:3} dup-tickets {figures.duplicate_tickets} cs {figures.customer_service_sent:4} "
            f"dup-cs {figures.duplicate_customer_service:3} 5xx {figures.server_errors} >5s {figures.over_5s} "
            f"{figures.notes}",
            flush=True,
        )
        if args.json:
            print(json.dumps(figures.__dict__, ensure_ascii=False))
    bad = any(row.lost or row.duplicate_tickets or row.server_errors for row in rows)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

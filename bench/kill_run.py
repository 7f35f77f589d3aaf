"""Fault run with real processes: the production recipe under load, broken one part at a time.

It starts a PostgreSQL cluster and a Redis (append-only file, as docs/reliability.md's "Redis in
production" says) of its own, then `scripts/serve.sh` exactly as production runs it: REDIS_URL
and DATABASE_URL set, RASA_SERVERS=2, QUEUE_WORKERS=2, PROXY_PORT (nginx in front), the local fake
WeChat API. Residents write through nginx — signed requests as WeChat sends them, each a step of
an intake conversation or a first message, delivered again the way WeChat retries (no answer in
5 s, or a 5xx: up to 3 deliveries of the same MsgId) — while the run injects, one at a time:

    gunicorn_kill   kill -9 of one gunicorn worker process
    gunicorn_cold   gunicorn reloaded (SIGHUP, as a deploy does: new processes, one a core, each fitting its
                    signal model), then kill -9 of the new processes as soon as 3 messages
                    acknowledged with `success` are still not in the database (they wait in a
                    process's answer queue: which process is not known, so all of them are killed)
    rasa_kill       kill -9 of one of the two Rasa servers (serve.sh's watch starts it again; timed)
    rasa_freeze     SIGSTOP of one of the two Rasa servers: alive but answering nothing (serve.sh's
                    watch kills it and starts it again; timed)
    worker_kill     kill -9 of a queue worker (its work horse and itself) while it sends
                    customer-service messages (the fake WeChat API holds each send 8 s); serve.sh
                    starts it again
    pg_restart      PostgreSQL restarted (pg_ctl restart -m fast)
    pg_stop         PostgreSQL stopped for 15 s (pg_ctl stop -m fast, then start): messages wait in Redis
    redis_restart   Redis restarted (SHUTDOWN, 3 s, start); times how long until a queued job and a
                    scheduled job (RQ's scheduler) run again
    both_down       PostgreSQL and Redis both stopped for 15 s
    flood           one resident sends 300 long messages in 10 s (8 threads) while the others write

At the end of each fault (the baseline too) it checks that no answer is missing: every message
sent during the fault that is stored has had its answer delivered — in the passive reply, or as a
customer-service message the fake WeChat API received — waiting up to --answer-patience seconds
for those on their way (the sweep's two-minute rule does not count). Then it lets the queue
drain, runs `flask sweep` once (serve.sh's 5-minute loop, or cron, would) and counts, per fault,
from the database and the fake WeChat API: messages sent / stored / lost,
answered, duplicate tickets, customer-service messages queued / sent / duplicated / undelivered,
5xx, replies past 5 s, and the answers that never reached the resident (neither in the passive
reply nor as a customer-service message afterwards). Everything it started is stopped and its
data directory removed at the end.

    .venv/bin/python bench/kill_run.py                    # 6-7 minutes, 20 messages/s
    .venv/bin/python bench/kill_run.py --rate 30 --only gunicorn_kill,pg_restart

Ports: PORT 8700, PROXY_PORT 8701, FAKE_WECHAT_PORT 8702, Rasa 8750-8751, PostgreSQL 5441,
Redis 6391; data in /tmp/killrun; the last run's logs are kept in var/bench/kill_run/. Loopback only.
Needs nginx (apt-get install nginx-light) and the
PostgreSQL server binaries; run as root (PostgreSQL runs as the postgres user) or as postgres.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.wechat.inbound import message_key  # noqa: E402
from devtools.simulator import DEFAULT_TO_USER, BadReplyError, build_request, new_msg_id, parse_reply, text_xml  # noqa: E402

TOKEN = "killrun-token"
WECHAT_WINDOW_S = 5.0  # WeChat waits 5 s for a reply, then delivers the message again
DELIVERIES = 3  # WeChat delivers a message at most three times
INTAKES = [
    ["楼上天天半夜跺脚", "八古墩", "快一个月了，每天晚上十二点以后咚咚响，敲门也不理", "不留", "好的"],
    [
        "小区电梯坏了一个星期了物业也不修",
        "青年社区",
        "三号楼的电梯坏了一个星期，老人上下楼很困难，物业一直拖",
        "不留",
        "好的",
    ],
    [
        "老板拖欠了三个月工资不给，怎么办",
        "八古墩",
        "在一家装修公司做了半年，从八月开始就没发工资，老板一直说再等等",
        "不留",
        "好的",
    ],
]
FIRSTS = [
    "你好",
    "在吗",
    "法律援助怎么申请",
    "工作室几点开门",
    "离婚孩子抚养权怎么判",
    "房东不退押金怎么办",
    "借钱给朋友没打借条能要回来吗",
    "物业费涨价没有开业主大会，合理吗",
    "谢谢",
    "我的工单进度",
]
LONG = "楼上邻居天天半夜跺脚还拖椅子，吵得我们全家睡不着，说了好几次都不听，物业也不管，" * 12
FLOOD_OPENID = "o_kr_flooding_resident"
FAULT_NAMES = [
    "gunicorn_kill",
    "gunicorn_cold",
    "rasa_kill",
    "rasa_freeze",
    "worker_kill",
    "pg_restart",
    "pg_stop",
    "redis_restart",
    "both_down",
    "flood",
]


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# --- processes -------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, int] | None:
    """(ppid, pgid) of a process, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[2])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def children(pid: int) -> list[int]:
    return [p for p in _pids() if (_stat(p) or (0, 0))[0] == pid]


def descendants(pid: int) -> list[int]:
    parents = {p: (_stat(p) or (0, 0))[0] for p in _pids()}
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        for p, parent in parents.items():
            if parent == current:
                found.append(p)
                frontier.append(p)
    return found


def group_members(pgid: int) -> list[int]:
    return [p for p in _pids() if (_stat(p) or (0, 0))[1] == pgid]


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for its parent)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return raw[raw.rindex(")") + 2] != "Z"


# --- what was sent and what came back ---------------------------------------------------------


@dataclass
class Sent:
    """One resident message and every delivery of it."""

    msg_id: int
    openid: str
    text: str
    started: float
    flood: bool = False
    deliveries: list[tuple[str, float]] = field(default_factory=list)  # (outcome, seconds)
    reply: str | None = None  # "text", "success", "saved", "not_saved", "polite", "slow_down", "broken", None = none
    content: str = ""
    done: bool = False  # every delivery of it is over

    @property
    def answered_passively(self) -> bool:
        """The passive reply was the answer (or asked to slow down): nothing has to follow."""
        return self.reply in ("text", "slow_down")

    @property
    def key(self) -> str:
        """Its dedup key, as the service stores it."""
        return message_key(DEFAULT_TO_USER, self.openid, self.msg_id)


def _kind_of(content: str) -> str:
    if not content:
        return "success"
    if "已经收到并保存" in content:
        return "saved"
    if "没能保存" in content:
        return "not_saved"
    if "系统有点忙，您的消息已经收到" in content:
        return "polite"
    if "请稍等一分钟再发" in content:
        return "slow_down"
    return "text"


class Residents:
    """Residents writing through nginx at a steady rate, as WeChat delivers their messages."""

    def __init__(self, url: str, rate: float, threads: int, run: str) -> None:
        self.url, self.rate, self.threads, self.run = url, rate, threads, run
        self.sent: list[Sent] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.workers: list[threading.Thread] = []

    def deliver(self, http: requests.Session, openid: str, text: str, flood: bool = False) -> Sent:
        record = Sent(new_msg_id(), openid, text, time.time(), flood)
        with self.lock:
            self.sent.append(record)
        try:
            return self._deliver(http, record)
        finally:
            record.done = True

    def _deliver(self, http: requests.Session, record: Sent) -> Sent:
        xml = text_xml(record.openid, record.text, record.msg_id)
        for _ in range(DELIVERIES):
            params, body = build_request(xml, TOKEN)
            began = time.monotonic()
            try:
                response = http.post(f"{self.url}?{urlencode(params)}", data=body, timeout=WECHAT_WINDOW_S)
            except requests.Timeout:
                record.deliveries.append(("timeout", time.monotonic() - began))
                continue  # WeChat gave up waiting: the next delivery follows at once
            except requests.ConnectionError:
                record.deliveries.append(("connection", time.monotonic() - began))
                time.sleep(1.0)
                continue
            except requests.RequestException:  # e.g. a response cut off when its process died mid-body
                record.deliveries.append(("broken", time.monotonic() - began))
                time.sleep(1.0)
                continue
            elapsed = time.monotonic() - began
            if response.status_code >= 500:
                record.deliveries.append((f"http_{response.status_code}", elapsed))
                time.sleep(1.0)
                continue
            if response.status_code != 200:
                record.deliveries.append((f"http_{response.status_code}", elapsed))
                return record
            record.deliveries.append(("ok", elapsed))
            try:
                content = (parse_reply(response.content, TOKEN) or {}).get("Content", "") or ""
            except BadReplyError:
                record.reply = "broken"
                return record
            record.reply, record.content = _kind_of(content), content
            return record
        return record

    def _resident(self, index: int) -> None:
        http = requests.Session()
        period = self.threads / self.rate
        conversation = 0
        rng = random.Random(index)
        while not self.stopping.is_set():
            conversation += 1
            openid = f"o_kr_{self.run}_{index:02d}_{conversation:04d}"
            steps = rng.choice(INTAKES) if rng.random() < 0.6 else [rng.choice(FIRSTS)]
            for text in steps:
                if self.stopping.is_set():
                    return
                began = time.monotonic()
                self.deliver(http, openid, text)
                self.stopping.wait(max(0.0, period - (time.monotonic() - began)) * rng.uniform(0.8, 1.2))

    def start(self) -> None:
        for index in range(self.threads):
            thread = threading.Thread(target=self._resident, args=(index,), daemon=True)
            thread.start()
            self.workers.append(thread)
            time.sleep(self.threads / self.rate / self.threads)  # spread the threads' first messages

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.workers:
            thread.join(timeout=20)

    def flood(self, count: int, seconds: float) -> None:
        """One resident sends `count` long messages from 8 threads, bounded to `seconds`."""
        began = time.monotonic()
        ends = began + seconds
        remaining = iter(range(count))
        guard = threading.Lock()

        def flooder() -> None:
            http = requests.Session()
            while time.monotonic() < ends:
                with guard:
                    index = next(remaining, None)
                if index is None:
                    return
                # message i leaves at i × seconds / count (or as soon as a thread is free)
                time.sleep(max(0.0, began + index * seconds / count - time.monotonic()))
                self.deliver(http, FLOOD_OPENID, LONG, flood=True)

        threads = [threading.Thread(target=flooder, daemon=True) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 20)


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    started: float
    ended: float = 0.0
    notes: dict = field(default_factory=dict)


class KillRun:
    def __init__(self, args) -> None:
        self.args = args
        self.dir = Path(args.dir)
        self.port = args.port
        self.proxy_port, self.fake_port, self.rasa_port = args.port + 1, args.port + 2, args.port + 50
        self.pg_port, self.redis_port = args.pg_port, args.redis_port
        self.run = uuid.uuid4().hex[:6]
        self.pg_bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent
        self.pg_url = f"postgresql://postgres@127.0.0.1:{self.pg_port}/lfd"
        self.env = self._env()
        self.serve: subprocess.Popen | None = None
        self.redis: subprocess.Popen | None = None
        self.extra: list[subprocess.Popen] = []  # processes started in place of killed ones
        self.phases: list[Phase] = []
        self.probes: dict[str, dict] = {}  # content -> {phase, queued, kind}
        self.services = None
        self.residents: Residents | None = None
        self.started = time.time()
        self.serve_pgid = 0
        self.sweeps: list[str] = []
        self.orphan_groups: list[int] = []  # process groups of killed Rasa servers
        self.rasa_back: threading.Thread | None = None

    def _env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("WECHAT_SECRET", "WECHAT_API_BASE", "WECHAT_AES_KEY", "RASA_URL", "NLU_BACKEND", "KEY_PREFIX")
        }
        env.update(
            DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{self.pg_port}/lfd",
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            RASA_SERVERS="2",
            RASA_PORT=str(self.rasa_port),
            QUEUE_WORKERS="2",
            PORT=str(self.port),
            PROXY_PORT=str(self.proxy_port),
            FAKE_WECHAT_PORT=str(self.fake_port),
            WECHAT_TOKEN=TOKEN,
            JOURNAL_DIR=str(self.dir / "journal"),
        )
        return env

    # -- PostgreSQL and Redis of our own

    def _as_postgres(self, *command: str) -> subprocess.CompletedProcess:
        line = " ".join(f"'{part}'" for part in command)
        if os.geteuid() == 0:
            return subprocess.run(["su", "postgres", "-c", line], capture_output=True, text=True)
        return subprocess.run(list(command), capture_output=True, text=True)

    def _pg_ctl(self, action: str, *extra: str) -> float:
        began = time.monotonic()
        options = f"-p {self.pg_port} -k {self.dir / 'pgrun'} -c listen_addresses=127.0.0.1"
        result = self._as_postgres(
            str(self.pg_bin / "pg_ctl"),
            "-D",
            str(self.dir / "pg"),
            "-l",
            str(self.dir / "pgrun" / "postgres.log"),
            "-o",
            options,
            "-w",
            *extra,
            action,
        )
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl {action}: {result.stdout} {result.stderr}")
        return time.monotonic() - began

    def start_postgres(self) -> None:
        for sub in ("pg", "pgrun"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.dir / sub, "postgres", "postgres")
        result = self._as_postgres(
            str(self.pg_bin / "initdb"), "-D", str(self.dir / "pg"), "-U", "postgres", "--auth=trust"
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb: {result.stderr}")
        self._pg_ctl("start")
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres", autocommit=True) as connection:
            connection.execute("CREATE DATABASE lfd")

    def start_redis(self) -> None:
        (self.dir / "redis").mkdir(parents=True, exist_ok=True)
        # docs/reliability.md, "Redis in production": the append-only file, fsync every second.
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir / "redis"),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
                "--daemonize",
                "no",
                "--logfile",
                str(self.dir / "redis" / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(100):
            if self._redis_cli("ping") == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis did not start")

    def _redis_cli(self, *command: str) -> str:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), *command], capture_output=True, text=True, timeout=20
        )
        return result.stdout.strip()

    def stop_redis(self) -> None:
        self._redis_cli("shutdown")  # with the append-only file: fsync, then exit
        if self.redis is not None:
            self.redis.wait(timeout=20)

    # -- the production recipe

    def start_serve(self) -> None:
        log("starting scripts/serve.sh (2 Rasa servers, 2 queue workers, nginx in front)")
        began = time.monotonic()
        self.serve = subprocess.Popen(
            ["scripts/serve.sh"],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=open(self.dir / "serve.log", "wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.serve_pgid = self.serve.pid
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline:
            if self.serve.poll() is not None:
                raise RuntimeError(
                    f"scripts/serve.sh exited with {self.serve.returncode}; see {self.dir / 'serve.log'}"
                )
            try:
                if (
                    requests.get(f"http://127.0.0.1:{self.proxy_port}/healthz", timeout=2).status_code == 200
                    and len(self.gunicorn_workers()) >= 1
                ):
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        else:
            raise RuntimeError("the service did not answer through nginx within 400 s")
        time.sleep(8)  # every gunicorn process fits its signal model at start
        log(f"serve.sh answers through nginx after {time.monotonic() - began:.0f} s")
        for name in ("WECHAT_SECRET", "WECHAT_API_BASE", "WECHAT_AES_KEY", "RASA_URL", "NLU_BACKEND", "KEY_PREFIX"):
            os.environ.pop(name, None)
        os.environ.update(self.env)
        from bot.config import Settings
        from bot.services import build_services

        self.services = build_services(Settings.from_env())

    def serve_children(self, word: str) -> list[int]:
        return [p for p in children(self.serve.pid) if word in _cmdline(p)]

    def gunicorn_workers(self) -> list[int]:
        masters = self.serve_children("gunicorn")
        return children(masters[0]) if masters else []

    def queue_workers(self) -> list[int]:
        """The RQ worker processes (not their work horses nor their scheduler processes)."""
        started_here = [p.pid for p in self.extra if p.poll() is None and "webhook worker" in " ".join(p.args)]
        under_serve = [
            p
            for p in descendants(self.serve.pid)
            if "webhook worker" in _cmdline(p)
            and "webhook worker" not in _cmdline((_stat(p) or (0, 0))[0])
            and alive(p)
        ]
        return under_serve + started_here

    def await_queue_workers(
        self, phase: Phase, before: list[int], killed: tuple[int, ...] = (), wanted: int = 2, seconds: float = 15
    ) -> None:
        """Note whether serve.sh has the queue workers running again (and start them if not)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and (len(self.queue_workers()) < wanted or any(alive(p) for p in killed)):
            time.sleep(0.5)
        now = self.queue_workers()
        phase.notes["queue_workers_replaced"] = len([p for p in before if p not in now])
        phase.notes["queue_workers_running"] = len(now)
        for _ in range(wanted - len(now)):
            self.start_queue_worker()
            phase.notes["queue_workers_started_by_the_run"] = phase.notes.get("queue_workers_started_by_the_run", 0) + 1

    def start_queue_worker(self) -> None:
        worker = subprocess.Popen(
            [str(ROOT / ".venv/bin/flask"), "--app", "webhook", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.dir / f"worker-extra-{len(self.extra)}.log", "wb"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.extra.append(worker)

    # -- customer-service probes through the real job queue

    def probe(self, phase: str, kind: str = "job") -> str | None:
        """Queue one customer-service message (a job, or a job the scheduler starts in 1 s)."""
        from bot.storage.outbox import OutboundMessage
        from bot.storage.residents import touch_resident
        from bot.wechat.outbox import deliver_batch, queue_message

        content = f"probe {phase} {kind} {uuid.uuid4().hex[:8]}"
        openid = f"o_kr_probe_{phase}"
        try:
            with self.services.db.session() as session:
                resident = touch_resident(session, openid)
                if kind == "job":
                    queue_message(session, self.services.jobs, resident, content)
                else:
                    row = OutboundMessage(resident_id=resident.id, openid=openid, content=content)
                    session.add(row)
                    session.flush()
                    row_id = row.id
            if kind == "scheduled":
                self.services.jobs.queue.enqueue_in(timedelta(seconds=1), deliver_batch, [row_id])
        except Exception as error:  # noqa: BLE001 — a probe during an outage simply is not queued
            log(f"probe {kind} not queued: {type(error).__name__}")
            return None
        self.probes[content] = {"phase": phase, "queued": time.time(), "kind": kind}
        return content

    def fake(self, path: str, payload: dict | None = None) -> dict:
        url = f"http://127.0.0.1:{self.fake_port}/_fake/{path}"
        response = (
            requests.post(url, json=payload, timeout=10) if payload is not None else requests.get(url, timeout=30)
        )
        return response.json()

    def delivered(self, openid: str | None = None) -> list[dict]:
        query = f"?touser={openid}" if openid else ""
        return self.fake(f"messages{query}")["messages"]

    # -- phases

    def phase(self, name: str) -> Phase:
        phase = Phase(name, time.time())
        self.phases.append(phase)
        log(f"phase {name}")
        return phase

    def until(self, phase: Phase, offset: float) -> None:
        time.sleep(max(0.0, phase.started + offset - time.time()))

    def warm_up(self) -> None:
        """Until every gunicorn process has fitted its signal model, messages wait for it: send
        messages (not counted) until 16 in a row are answered passively within a second."""
        url = f"http://127.0.0.1:{self.proxy_port}/wechat"
        warm = Residents(url, 1.0, 1, "warm")
        http = requests.Session()
        began, in_a_row = time.monotonic(), 0
        while in_a_row < 16 and time.monotonic() - began < 240:
            record = warm.deliver(http, f"o_kr_warm_up_{in_a_row:02d}", "你好")
            fast = record.reply == "text" and record.deliveries[-1][1] < 1.0
            in_a_row = in_a_row + 1 if fast else 0
            time.sleep(0.2 if fast else 1.0)
        log(f"warm after {time.monotonic() - began:.0f} s ({len(warm.sent)} warm-up messages)")

    def baseline(self) -> None:
        self.warm_up()
        phase = self.phase("baseline")
        self.residents.start()
        for _ in range(3):
            self.probe("baseline")
            time.sleep(3)
        self.until(phase, self.args.phase)

    def gunicorn_kill(self) -> None:
        phase = self.phase("gunicorn_kill")
        self.probe("gunicorn_kill")
        self.until(phase, 4)
        victim = random.choice(self.gunicorn_workers())
        os.kill(victim, signal.SIGKILL)
        phase.notes["killed"] = f"gunicorn worker {victim}"
        log(f"kill -9 gunicorn worker {victim}")
        self.probe("gunicorn_kill")
        self.until(phase, self.args.phase)
        phase.notes["workers_after"] = len(self.gunicorn_workers())

    def gunicorn_cold(self) -> None:
        phase = self.phase("gunicorn_cold")
        self.until(phase, 4)
        master = self.serve_children("gunicorn")[0]
        before = self.gunicorn_workers()
        os.kill(master, signal.SIGHUP)  # a graceful reload, as a deploy does
        reloaded = time.monotonic()
        log(f"gunicorn reloaded (SIGHUP): {len(before)} new processes")
        new: list[int] = []
        while time.monotonic() - reloaded < 20 and len(new) < len(before):
            new = [p for p in self.gunicorn_workers() if p not in before]
            time.sleep(0.2)
        # Acknowledged with `success` (the answer follows later) but not stored yet: the message
        # waits in a process's answer queue. That is the moment a crash costs the most.
        reload_wall = time.time() - 1
        waiting: list[int] = []
        while new and time.monotonic() - reloaded < 25 and len(waiting) < 3:
            acked = [r for r in list(self.residents.sent) if r.started >= reload_wall and r.reply == "success"]
            if acked:
                with psycopg.connect(self.pg_url) as connection:
                    stored = {
                        key
                        for (key,) in connection.execute(
                            "SELECT dedup_key FROM messages WHERE dedup_key = ANY(%s)", ([r.key for r in acked],)
                        )
                    }
                waiting = [r.msg_id for r in acked if r.key not in stored]
            time.sleep(0.2)
        if not new:
            phase.notes["killed"] = "nothing: no new gunicorn process within 20 s"
        else:
            for victim in new:
                os.kill(victim, signal.SIGKILL)
            phase.notes["killed"] = (
                f"the {len(new)} new gunicorn processes, {time.monotonic() - reloaded:.1f} s after the reload; "
                f"{len(waiting)} messages acknowledged with success were not stored yet"
            )
            log(f"kill -9 {phase.notes['killed']}")
        self.until(phase, self.args.phase + 10)

    def rasa_kill(self) -> None:
        phase = self.phase("rasa_kill")
        self.until(phase, 4)
        port = self.rasa_port + 1
        pid = int((ROOT / "var" / f"rasa-{port}.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        self.orphan_groups.append(pid)  # rasa_serve.sh started it with setsid: its pid is its group
        phase.notes["killed"] = f"Rasa on {port} (pid {pid})"
        log(f"kill -9 Rasa server {pid} on port {port}")
        self._await_rasa_back(phase, port, pid)
        self.until(phase, self.args.phase)

    def rasa_freeze(self) -> None:
        if self.rasa_back is not None:
            self.rasa_back.join(timeout=240)  # the server killed before is back: freeze a serving one
        phase = self.phase("rasa_freeze")
        self.until(phase, 4)
        port = self.rasa_port + 1
        pid = int((ROOT / "var" / f"rasa-{port}.pid").read_text())
        os.kill(pid, signal.SIGSTOP)  # alive, listening, answering nothing: a hung server
        self.orphan_groups.append(pid)
        phase.notes["frozen"] = f"Rasa on {port} (pid {pid})"
        log(f"SIGSTOP Rasa server {pid} on port {port}")
        self._await_rasa_back(phase, port, pid)
        self.rasa_back.join(timeout=240)  # residents keep writing until the watch has replaced it
        self.until(phase, self.args.phase)

    def _await_rasa_back(self, phase: Phase, port: int, old_pid: int) -> None:
        """In the background: note when serve.sh's watch has a new server on the port answering."""
        began = time.monotonic()
        status = f"http://127.0.0.1:{port}/status"
        pid_file = ROOT / "var" / f"rasa-{port}.pid"
        token = self.env.get("RASA_TOKEN") or (ROOT / "var" / "rasa_token").read_text().strip()

        def watch() -> None:
            while time.monotonic() - began < 240:
                try:
                    replaced = pid_file.exists() and int(pid_file.read_text() or 0) != old_pid
                    if replaced and requests.get(status, params={"token": token}, timeout=1).ok:
                        phase.notes["back_after_s"] = round(time.monotonic() - began, 1)
                        log(f"Rasa on {port} answers again after {phase.notes['back_after_s']} s")
                        return
                except (OSError, ValueError, requests.RequestException):
                    pass
                time.sleep(1)
            phase.notes["back_after_s"] = "not within 240 s"

        self.rasa_back = threading.Thread(target=watch, daemon=True)
        self.rasa_back.start()

    def worker_kill(self) -> None:
        phase = self.phase("worker_kill")
        before = {p: set(children(p)) for p in self.queue_workers()}
        # The fake WeChat API holds the next sends 8 s: the jobs are mid-send when the worker dies.
        self.fake("fail", {"path": "message/custom/send", "delay": 8, "times": 6})
        for _ in range(4):
            self.probe("worker_kill")
        victim, horse, seen = None, None, {}
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline and horse is None:
            time.sleep(0.25)
            for worker in self.queue_workers():
                for child in children(worker):
                    if child in before.get(worker, set()):
                        continue
                    # a work horse alive for a second is waiting on the (delayed) WeChat API
                    if time.monotonic() - seen.setdefault(child, time.monotonic()) >= 1.0 and alive(child):
                        victim, horse = worker, child
        with psycopg.connect(self.pg_url) as connection:
            sending = connection.execute("SELECT count(*) FROM outbound_messages WHERE status = 'sending'").fetchone()[
                0
            ]
        try:
            os.kill(horse, signal.SIGKILL)
            os.kill(victim, signal.SIGKILL)
            phase.notes["killed"] = f"queue worker {victim} and its work horse {horse} ({sending} sends in flight)"
            log(f"kill -9 queue worker {victim} and work horse {horse}; {sending} sends claimed")
        except (TypeError, ProcessLookupError):
            phase.notes["killed"] = "nothing: no work horse caught mid-send"
            log("no work horse caught mid-send")
        self.await_queue_workers(phase, [victim] if victim else [], killed=(victim,) if victim else ())
        self.until(phase, self.args.phase)

    def pg_restart(self) -> None:
        phase = self.phase("pg_restart")
        self.probe("pg_restart")
        self.until(phase, 4)
        log("PostgreSQL restart (pg_ctl restart -m fast)")
        phase.notes["restart_s"] = round(self._pg_ctl("restart", "-m", "fast"), 1)
        for _ in range(3):
            self.probe("pg_restart")
            time.sleep(2)
        self.until(phase, self.args.phase + 5)

    def pg_stop(self) -> None:
        phase = self.phase("pg_stop")
        self.probe("pg_stop")
        self.until(phase, 4)
        log(f"PostgreSQL stopped for {self.args.pg_down:.0f} s (pg_ctl stop -m fast, then start)")
        down = time.time()
        self._pg_ctl("stop", "-m", "fast")
        time.sleep(max(0.0, down + self.args.pg_down - time.time()))
        kept = sum(
            int(self._redis_cli("llen", key) or 0)
            for key in self._redis_cli("--scan", "--pattern", "*inbox:unsaved").split()
        )
        self._pg_ctl("start")
        phase.notes["down_s"] = round(time.time() - down, 1)
        phase.notes["kept_in_redis"] = kept
        self.probe("pg_stop")
        self.until(phase, self.args.phase + self.args.pg_down)

    def check_answers(self, phase: Phase) -> None:
        """At the end of a fault: every stored message sent during it has had its answer delivered
        (passive reply, or customer-service messages WeChat received); waits up to
        --answer-patience seconds for those on their way and notes how many are missing then."""
        ended = time.time()
        mine = [r for r in list(self.residents.sent) if phase.started <= r.started < ended]
        began = time.monotonic()
        while True:
            missing = self._answers_missing(mine)
            if not missing or time.monotonic() - began >= self.args.answer_patience:
                break
            time.sleep(1)
        phase.notes["answers_missing"] = len(missing)
        if missing:
            phase.notes["missing_msg_ids"] = missing[:10]
        else:
            phase.notes["all_answered_after_s"] = round(time.monotonic() - began, 1)
        log(f"{phase.name}: {len(missing)} answers missing after {time.monotonic() - began:.0f} s")

    def _answers_missing(self, records: list[Sent]) -> list[int]:
        """The MsgIds of stored messages whose answer has not reached the resident (or whose
        deliveries are not over yet): per resident, each message answered otherwise than in its
        passive reply needs a customer-service message of its own sent after it."""
        with psycopg.connect(self.pg_url) as connection:
            stored = {
                key
                for (key,) in connection.execute(
                    "SELECT dedup_key FROM messages WHERE dedup_key = ANY(%s)", ([r.key for r in records],)
                )
            }
        arrived = defaultdict(list)  # openid -> when each distinct customer-service message reached WeChat
        for message in self.delivered():
            arrived[message["touser"]].append(float(message["time"]))
        missing = [r.msg_id for r in records if not r.done]
        waiting = defaultdict(list)
        for record in records:
            if record.done and record.key in stored and not record.answered_passively:
                waiting[record.openid].append(record)
        for openid, later in waiting.items():
            times = sorted(t for t in arrived[openid] if t >= min(r.started for r in later) - 1)
            missing.extend(r.msg_id for r in sorted(later, key=lambda r: r.started)[len(times) :])
        return missing

    def redis_restart(self) -> None:
        phase = self.phase("redis_restart")
        self.probe("redis_restart")
        self.probe("redis_restart", "scheduled")
        self.until(phase, 4)
        workers_before = self.queue_workers()
        log("Redis restart (SHUTDOWN, 3 s down, start; append-only file)")
        down = time.time()
        self.stop_redis()
        time.sleep(3)
        self.start_redis()
        up = time.time()
        phase.notes["down_s"] = round(up - down, 1)
        first = {"job": None, "scheduled": None}
        mine: dict[str, str] = {}
        deadline = up + self.args.recovery_limit
        next_probe = 0.0
        while time.time() < deadline and None in first.values():
            if time.time() >= next_probe:
                for kind in first:
                    if first[kind] is None:
                        content = self.probe("redis_restart", kind)
                        if content:
                            mine[content] = kind
                next_probe = time.time() + 2
            arrived = {m["content"]: m["time"] for m in self.delivered("o_kr_probe_redis_restart")}
            for content, kind in mine.items():
                if content in arrived and (first[kind] is None or arrived[content] < first[kind]):
                    first[kind] = arrived[content]
            time.sleep(0.5)
        phase.notes["jobs_again_after_s"] = (
            round(first["job"] - up, 1) if first["job"] else f"not within {self.args.recovery_limit} s"
        )
        phase.notes["scheduler_again_after_s"] = (
            round(first["scheduled"] - up, 1) if first["scheduled"] else f"not within {self.args.recovery_limit} s"
        )
        self.await_queue_workers(phase, workers_before)
        log(f"Redis restart: {phase.notes}")
        self.until(phase, self.args.phase)

    def both_down(self) -> None:
        phase = self.phase("both_down")
        self.probe("both_down")
        self.until(phase, 4)
        workers_before = self.queue_workers()
        log("PostgreSQL and Redis both down for 15 s")
        down = time.time()
        self.stop_redis()
        self._pg_ctl("stop", "-m", "fast")
        time.sleep(max(0.0, down + 15 - time.time()))
        self._pg_ctl("start")
        self.start_redis()
        phase.notes["down_s"] = round(time.time() - down, 1)
        phase.notes["journalled"] = _lines(self.dir / "journal" / "inbound.jsonl")
        self.probe("both_down")
        self.await_queue_workers(phase, workers_before)
        self.until(phase, self.args.phase + 15)

    def flood(self) -> None:
        if self.rasa_back is not None:
            self.rasa_back.join(timeout=240)
        phase = self.phase("flood")
        self.until(phase, 2)
        log("one resident floods: 300 long messages in 10 s")
        self.residents.flood(300, 10.0)
        self.until(phase, 15)

    # -- the end

    def settle(self) -> None:
        self.residents.stop()
        self.phases[-1].ended = time.time()
        log("load stopped; letting the queue drain")
        self._drain(45)
        log("running flask sweep once (serve.sh's 5-minute loop or cron would)")
        result = subprocess.run(
            [str(ROOT / ".venv/bin/flask"), "--app", "webhook", "sweep"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.sweeps.append(result.stdout.strip() or result.stderr.strip()[-300:])
        log(f"sweep: {self.sweeps[-1]}")
        self._drain(60)

    def _drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with psycopg.connect(self.pg_url) as connection:
                queued = connection.execute(
                    "SELECT count(*) FROM outbound_messages WHERE status = 'queued'"
                ).fetchone()[0]
            if not queued:
                return
            time.sleep(2)

    def cleanup(self) -> None:
        log("stopping everything this run started")
        if self.residents is not None:
            self.residents.stopping.set()
        if self.rasa_back is not None:
            self.rasa_back.join(timeout=240)
        if self.serve is not None and self.serve.poll() is None:
            os.kill(self.serve.pid, signal.SIGTERM)
            try:
                self.serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        for process in self.extra:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        for port in (self.rasa_port, self.rasa_port + 1):
            subprocess.run(
                ["scripts/rasa_stop.sh"], cwd=ROOT, env=dict(self.env, RASA_PORT=str(port)), capture_output=True
            )
        # What is left in serve.sh's process group (an orphaned scheduler, serve.sh's sweep loop's sleep) is ours.
        for pid in group_members(self.serve_pgid) if self.serve_pgid else []:
            log(f"left over after serve.sh stopped: {pid} {_cmdline(pid)[:80]}")
            os.kill(pid, signal.SIGKILL)
        for pgid in [process.pid for process in self.extra] + self.orphan_groups:
            for pid in group_members(pgid):
                log(f"left over: {pid} {_cmdline(pid)[:80]}")
                os.kill(pid, signal.SIGKILL)
        if self.redis is not None and self.redis.poll() is None:
            self.stop_redis()
        if (self.dir / "pg" / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "fast")
        logs = ROOT / "var" / "bench" / "kill_run"
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir(parents=True, exist_ok=True)
        for source in [
            self.dir / "serve.log",
            *self.dir.glob("worker-extra-*.log"),
            *(ROOT / "var").glob("worker-*.log"),
            ROOT / "var" / "sweep.log",
            self.dir / "redis" / "redis.log",
            self.dir / "pgrun" / "postgres.log",
        ]:
            if source.exists():
                shutil.copy(source, logs / source.name)
        log(f"logs kept in {logs}")
        if not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- figures

    def figures(self) -> list[dict]:
        sent = self.residents.sent
        keys = [record.key for record in sent]
        with psycopg.connect(self.pg_url) as connection:
            stored = {
                key: answered
                for key, answered in connection.execute(
                    "SELECT dedup_key, answered_at IS NOT NULL FROM messages WHERE dedup_key = ANY(%s)", (keys,)
                )
            }
            intents = dict(
                connection.execute("SELECT dedup_key, intent FROM messages WHERE dedup_key = ANY(%s)", (keys,))
            )
            tickets = Counter(
                openid
                for (openid,) in connection.execute(
                    "SELECT r.openid FROM tickets t JOIN residents r ON r.id = t.resident_id"
                )
            )
            rows = connection.execute(
                "SELECT openid, content, status, extract(epoch FROM created_at) FROM outbound_messages"
            ).fetchall()
            later = defaultdict(list)  # openid -> creation times of customer-service messages sent to them
            for openid, _, status, created in rows:
                if status == "sent":
                    later[openid].append(float(created))
            dead = connection.execute("SELECT count(*) FROM dead_letters").fetchone()[0]
        fake = self.delivered()
        copies = Counter((m["touser"], m["content"]) for m in fake)
        row_count = Counter((openid, content) for openid, content, _, _ in rows)
        first_phase = {}
        timeline = defaultdict(list)  # openid -> [(sent at, phase)], oldest first
        for record in sorted(sent, key=lambda r: r.started):
            first_phase.setdefault(record.openid, self._phase_of(record.started))
            timeline[record.openid].append((record.started, self._phase_of(record.started)))

        def cause(openid: str, created: float) -> str:
            # A customer-service message belongs to the fault of the resident's message it answers
            # (the latest one sent before it was queued); a probe's names its fault.
            if openid.startswith("o_kr_probe_"):
                return openid.removeprefix("o_kr_probe_")
            earlier = [phase for started, phase in timeline.get(openid, []) if started <= created + 1]
            return earlier[-1] if earlier else self._phase_of(created)

        table = []
        for phase in self.phases:
            mine = [r for r in sent if self._phase_of(r.started) == phase.name]
            flood = [r for r in mine if r.flood]
            others = [r for r in mine if not r.flood]
            keys_here = [r.key for r in mine]
            lost = [r for r in mine if r.key not in stored]
            phase_rows = [(o, c, s) for o, c, s, created in rows if cause(o, float(created)) == phase.name]
            keys_cs = {(o, c) for o, c, _ in phase_rows}
            cs_sent = sum(min(copies[key], 10**6) for key in keys_cs)
            cs_dup = sum(max(0, copies[key] - row_count[key]) for key in keys_cs)
            undelivered = sum(max(0, row_count[key] - copies[key]) for key in keys_cs)
            deliveries = [d for r in mine for d in r.deliveries]
            latencies = sorted(seconds for r in others for outcome, seconds in r.deliveries if outcome == "ok")
            row = {
                "fault": phase.name,
                "sent": len(mine),
                "deliveries": len(deliveries),
                "stored": sum(1 for key in keys_here if key in stored),
                "lost": len(lost),
                "lost_after_saved_reply": sum(
                    1 for r in lost if r.reply in ("saved", "text", "success", "polite", "slow_down")
                ),
                "answered": sum(1 for key in keys_here if stored.get(key)),
                # the passive reply was not the answer, and no customer-service message followed
                "answer_never_arrived": [
                    r.msg_id
                    for r in mine
                    if r.reply in ("success", "saved", "polite", None)
                    and not any(t >= r.started - 1 for t in later[r.openid])
                ],
                "lost_msg_ids": [r.msg_id for r in lost][:20],
                # answered, but not in the passive reply: later, as customer-service messages
                "answered_later": sum(1 for r in mine if stored.get(r.key) and r.reply not in ("text", "slow_down")),
                "replies": dict(Counter(r.reply or "none" for r in mine)),
                "dup_tickets": sum(max(0, tickets[o] - 1) for o, p in first_phase.items() if p == phase.name),
                "tickets": sum(tickets[o] for o, p in first_phase.items() if p == phase.name),
                "cs_queued": len(phase_rows),
                "cs_sent": cs_sent,
                "cs_dup": cs_dup,
                "cs_undelivered": undelivered,
                "cs_statuses": dict(Counter(s for _, _, s in phase_rows)),
                "5xx": sum(1 for outcome, _ in deliveries if outcome.startswith("http_5")),
                "over_5s": sum(1 for outcome, _ in deliveries if outcome == "timeout"),
                "connection_errors": sum(1 for outcome, _ in deliveries if outcome == "connection"),
                "cut_off_responses": sum(1 for outcome, _ in deliveries if outcome == "broken"),
                "broken_replies": sum(1 for r in mine if r.reply == "broken"),
                "p50_ms": round(statistics.median(latencies) * 1000) if latencies else None,
                "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000) if latencies else None,
                "notes": phase.notes,
            }
            if flood:
                row["flood"] = {
                    "sent": len(flood),
                    "stored": sum(1 for r in flood if r.key in stored),
                    "answered_in_full": sum(
                        1 for r in flood if stored.get(r.key) and intents.get(r.key) != "rate_limited"
                    ),
                    "asked_to_slow_down": sum(1 for r in flood if r.reply == "slow_down"),
                    "over_5s": sum(1 for r in flood for outcome, _ in r.deliveries if outcome == "timeout"),
                }
                row["others_sent"] = len(others)
            table.append(row)
        table.append({"dead_letters": dead, "sweeps": self.sweeps})
        return table

    def _phase_of(self, moment: float) -> str:
        name = "before"
        for phase in self.phases:
            if moment >= phase.started:
                name = phase.name
        return name


def _lines(path: Path) -> int:
    try:
        return sum(1 for line in path.read_text().splitlines() if line.strip())
    except OSError:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=20.0, help="residents' messages per second (at most 40)")
    parser.add_argument("--residents", type=int, default=24, help="resident threads (at most 48)")
    parser.add_argument("--phase", type=float, default=20.0, help="seconds of load around each fault (10-60)")
    parser.add_argument(
        "--recovery-limit", type=float, default=150.0, help="seconds to wait for jobs after a Redis restart"
    )
    parser.add_argument("--pg-down", type=float, default=15.0, help="seconds PostgreSQL stays stopped in pg_stop")
    parser.add_argument(
        "--answer-patience",
        type=float,
        default=30.0,
        help="seconds to wait, at the end of each fault, for answers still on their way",
    )
    parser.add_argument("--only", default="", help="comma-separated faults: " + ",".join(FAULT_NAMES))
    parser.add_argument("--dir", default="/tmp/killrun")
    parser.add_argument(
        "--port", type=int, default=8700, help="PORT; PROXY_PORT +1, FAKE_WECHAT_PORT +2, Rasa +50 and +51"
    )
    parser.add_argument("--pg-port", type=int, default=5441)
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--save", help="write every message sent, its deliveries and reply, as JSON lines")
    args = parser.parse_args()
    args.rate, args.residents, args.phase = (
        min(args.rate, 40.0),
        min(args.residents, 48),
        max(10.0, min(args.phase, 60.0)),
    )
    faults = [name for name in (args.only.split(",") if args.only else FAULT_NAMES) if name]
    unknown = set(faults) - set(FAULT_NAMES)
    if unknown:
        sys.exit(f"unknown faults: {', '.join(sorted(unknown))}")
    if shutil.which("nginx") is None:
        sys.exit("nginx is not installed (apt-get install nginx-light): the production recipe puts it in front")
    if Path(args.dir).exists():
        sys.exit(f"{args.dir} exists: another run, or a stopped one's left-overs (remove it first)")
    Path(args.dir).mkdir(parents=True)
    os.chmod(args.dir, 0o755)
    run = KillRun(args)
    began = time.monotonic()
    try:
        run.start_postgres()
        run.start_redis()
        run.start_serve()
        run.residents = Residents(f"http://127.0.0.1:{run.proxy_port}/wechat", args.rate, args.residents, run.run)
        run.baseline()
        run.check_answers(run.phases[-1])
        for name in faults:
            getattr(run, name)()
            run.check_answers(run.phases[-1])
        run.settle()
        table = run.figures()
        if args.save:
            with open(args.save, "w", encoding="utf-8") as out:
                for record in run.residents.sent:
                    out.write(
                        json.dumps({**record.__dict__, "phase": run._phase_of(record.started)}, ensure_ascii=False)
                        + "\n"
                    )
    finally:
        run.cleanup()
    print(
        f"{'fault':14} {'sent':>5} {'stored':>6} {'lost':>4} {'answered':>8} {'later':>5} {'missing':>7} "
        f"{'never':>5} {'dup-tk':>6} {'cs':>4} "
        f"{'cs-sent':>7} {'dup-cs':>6} {'cs-undl':>7} {'5xx':>4} {'>5s':>4} {'p50':>5} {'p99':>5}  notes"
    )
    for row in table[:-1]:
        print(
            f"{row['fault']:14} {row['sent']:5} {row['stored']:6} {row['lost']:4} {row['answered']:8} "
            f"{row['answered_later']:5} {row['notes'].get('answers_missing', '-'):>7} "
            f"{len(row['answer_never_arrived']):5} {row['dup_tickets']:6} "
            f"{row['cs_queued']:4} {row['cs_sent']:7} {row['cs_dup']:6} {row['cs_undelivered']:7} {row['5xx']:4} "
            f"{row['over_5s']:4} {row['p50_ms'] or '-':>5} {row['p99_ms'] or '-':>5}  "
            f"{json.dumps(row['notes'], ensure_ascii=False)}"
        )
        print(
            f"{'':14} replies {json.dumps(row['replies'])} cs {json.dumps(row['cs_statuses'])} tickets {row['tickets']}"
            + (f" flood {json.dumps(row['flood'])} others {row['others_sent']}" if "flood" in row else "")
        )
    print(
        f"dead letters {table[-1]['dead_letters']}; sweep: {table[-1]['sweeps']}; "
        f"wall time {time.monotonic() - began:.0f} s"
    )
    if args.json:
        print(json.dumps(table, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()

"""The outbox with real `confapp worker` processes and a real SMTP server (aiosmtpd).

(1) the relay is down while 500 messages are queued, comes back, and every message arrives
exactly once; (2) a worker killed with SIGKILL mid-batch and restarted loses nothing and
sends nothing twice but the one message in flight, which its row marks; (3) two workers on
Redis share 2,000 messages without duplicates; (4) a rolled-back action sends nothing;
(5) a 5xx answer marks the row failed with the server's reason and "send again" works.
"""

from __future__ import annotations

import asyncio
import collections
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa

from confapp import create_app
from confapp.extensions import db
from confapp.mail import queue_mail
from confapp.mail import send_mail
from confapp.mail.delivery import INTERRUPTED
from confapp.mail.models import OutboxMessage
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

# A database of its own on the shared Redis (the test empties it); override for another.
REDIS_URL = os.environ.get("CONFAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """An SMTP server that counts what arrives by Message-ID; it can refuse recipients
    (550) and be slow."""

    def __init__(self, port: int, *, delay: float = 0.0) -> None:
        self.port = port
        self.delay = delay
        self.refuse: set[str] = set()
        self.received: list[str] = []
        self.lock = threading.Lock()
        self.controller = aiosmtpd_controller.Controller(self, hostname="127.0.0.1", port=port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(str(message["Message-ID"]))
        return "250 Message accepted for delivery"

    def counts(self) -> collections.Counter:
        with self.lock:
            return collections.Counter(self.received)

    def start(self) -> Sink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


class Workers:
    """`confapp worker` processes started for one test (always stopped at its end)."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.procs: list[subprocess.Popen] = []

    def start(self, *args: str) -> subprocess.Popen:
        log = open(self.folder / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-c", "from confapp.cli import main; main()", "worker", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.procs.append(proc)
        return proc

    def log(self, index: int) -> str:
        return (self.folder / f"worker-{index}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    assert predicate(), f"timed out waiting for {what}"


@pytest.fixture
def setup(app, database_url, tmp_path):
    """Build the producing app and the workers' environment on a given queue and relay."""
    made = []

    def build(*, mail_port: int, jobs_url: str | None = None, **config):
        jobs_url = jobs_url or f"sqlite:///{tmp_path / 'queue.db'}"
        settings = {
            "MAIL_URL": f"smtp://127.0.0.1:{mail_port}",
            "MAIL_RETRY_BASE": 0.3,
            "MAIL_RETRY_MAX_DELAY": 1,
            "MAIL_CLAIM_TIMEOUT": 2,
            "MAIL_BATCH_SIZE": 50,
            "MAIL_TIMEOUT": 5,
            **config,
        }
        producer = create_app(
            "testing",
            {
                "DATABASE_URL": database_url,
                "JOBS_IMMEDIATE": False,
                "JOBS_URL": jobs_url,
                **settings,
            },
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONFAPP_")}
        env.update(
            {
                "CONFAPP_ENV": "testing",
                "CONFAPP_DATABASE_URL": database_url,
                "CONFAPP_JOBS_IMMEDIATE": "false",
                "CONFAPP_JOBS_URL": jobs_url,
                **{f"CONFAPP_{k}": str(v) for k, v in settings.items()},
            }
        )
        workers = Workers(env, tmp_path)
        made.append((producer, workers))
        return producer, workers

    yield build
    for producer, workers in made:
        workers.stop_all()
        with producer.app_context():
            db.session.remove()
            db.engine.dispose()


def queue_plain(app, count: int, prefix: str = "m") -> list[str]:
    """Write `count` messages in one committed transaction; return their Message-IDs."""
    ids = []
    with app.app_context():
        for i in range(count):
            msg = EmailMessage()
            msg["From"] = "no-reply@confapp.local"
            msg["To"] = f"{prefix}{i}@example.org"
            msg["Subject"] = f"{prefix} {i}"
            msg.set_content(f"message {i}")
            queue_mail(msg)
            ids.append(None)
        db.session.commit()
        ids = list(db.session.scalars(sa.select(OutboxMessage.message_id)))
    return ids


def statuses(app) -> collections.Counter:
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
        db.session.commit()
    return collections.Counter({status.value: n for status, n in rows})


def test_relay_down_then_up_every_message_arrives_once(setup):
    port = free_port()
    producer, workers = setup(mail_port=port)
    workers.start("-w", "2")
    ids = queue_plain(producer, 500)
    with producer.app_context():
        tried = lambda: db.session.scalar(  # noqa: E731
            sa.select(sa.func.count()).where(OutboxMessage.attempts > 0)
        )
        wait_for(lambda: tried() == 500, 60, "every message tried once against the dead relay")
        db.session.commit()
    assert statuses(producer)["sent"] == 0
    sink = Sink(port).start()
    try:
        wait_for(lambda: statuses(producer)["sent"] == 500, 90, "all 500 sent after recovery")
        counts = sink.counts()
    finally:
        sink.stop()
    assert set(counts) == set(ids)
    assert max(counts.values()) == 1  # exactly once each


def test_sigkill_mid_batch_loses_nothing_and_marks_the_one_in_flight(setup):
    sink = Sink(free_port(), delay=0.01).start()
    try:
        producer, workers = setup(mail_port=sink.port)
        ids = queue_plain(producer, 400)
        first = workers.start("-w", "1")
        wait_for(lambda: len(sink.received) >= 120, 60, "the first batches")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        time.sleep(2.5)  # past MAIL_CLAIM_TIMEOUT: the dead batch may be handed back
        workers.start("-w", "1")
        wait_for(lambda: statuses(producer)["sent"] == 400, 90, "all 400 sent after restart")
        counts = sink.counts()
    finally:
        sink.stop()
    assert set(counts) == set(ids)  # nothing lost
    twice = [mid for mid, n in counts.items() if n > 1]
    assert len(twice) <= 1 and max(counts.values()) <= 2
    with producer.app_context():
        flagged = set(
            db.session.scalars(
                sa.select(OutboxMessage.message_id).where(OutboxMessage.last_error == INTERRUPTED)
            )
        )
    assert set(twice) <= flagged
    assert len(flagged) == 1  # the kill landed in a batch: its message in flight is marked


@pytest.fixture
def redis_db():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def test_two_workers_on_redis_share_2000_messages_without_duplicates(setup, redis_db):
    sink = Sink(free_port()).start()
    try:
        producer, workers = setup(mail_port=sink.port, jobs_url=redis_db)
        workers.start("-w", "1")
        workers.start("-w", "1", "--no-periodic")
        time.sleep(1.5)  # both consumers listening
        ids = queue_plain(producer, 2000)
        wait_for(lambda: statuses(producer)["sent"] == 2000, 120, "all 2,000 sent")
        counts = sink.counts()
    finally:
        sink.stop()
    assert set(counts) == set(ids)
    assert max(counts.values()) == 1
    workers.stop_all()
    # Both workers did part of the work.
    assert "mail.deliver" in workers.log(0) and "mail.deliver" in workers.log(1)


def test_a_rolled_back_action_sends_nothing(setup):
    sink = Sink(free_port()).start()
    try:
        producer, workers = setup(mail_port=sink.port)
        workers.start("-w", "1")
        with producer.test_request_context():
            event = make_event()
            db.session.commit()
            send_mail(
                "gone@example.org",
                "Never",
                "registration_promoted",
                event=event,
                reg=None,
                mine_url="http://localhost/x",
            )
            db.session.rollback()
            kept = send_mail(
                "kept@example.org",
                "Kept",
                "registration_promoted",
                event=event,
                reg=None,
                mine_url="http://localhost/x",
            )
            db.session.commit()
        wait_for(lambda: str(kept["Message-ID"]) in sink.counts(), 30, "the committed message")
        time.sleep(1.0)
        assert list(sink.counts()) == [str(kept["Message-ID"])]
        with producer.app_context():
            assert (
                db.session.scalar(
                    sa.select(sa.func.count()).where(OutboxMessage.recipient == "gone@example.org")
                )
                == 0
            )
    finally:
        sink.stop()


def test_a_5xx_marks_the_row_failed_with_the_reason_and_send_again_works(setup):
    sink = Sink(free_port()).start()
    sink.refuse.add("nobody@example.org")
    try:
        producer, workers = setup(mail_port=sink.port)
        workers.start("-w", "1")
        with producer.test_request_context():
            event = make_event()
            organiser = make_staff(event, "org@example.org")
            send_mail(
                "nobody@example.org",
                "Hello",
                "registration_promoted",
                event=event,
                reg=None,
                mine_url="http://localhost/x",
            )
            db.session.commit()
            organiser_id, slug = organiser.id, event.slug
        wait_for(lambda: statuses(producer)["failed"] == 1, 30, "the refusal")
        with producer.app_context():
            row = db.session.scalar(sa.select(OutboxMessage))
            assert row.last_error.startswith("550 5.1.1 <nobody@example.org>: Recipient")
            assert row.attempts == 1
            message_id = row.id
        client = producer.test_client()
        with producer.app_context():
            from confapp.accounts.models import User

            sign_in(client, db.session.get(User, organiser_id))
        page = client.get(f"/events/{slug}/manage/mail?status=failed")
        assert b"Recipient address rejected" in page.data and b"Send again" in page.data
        manage = client.get(f"/events/{slug}/manage")
        assert b"E-mail is not going out" in manage.data
        sink.refuse.clear()  # the address was fixed at the other end
        answer = client.post(f"/events/{slug}/manage/mail/{message_id}/send-again")
        assert answer.status_code == 302
        wait_for(lambda: statuses(producer)["sent"] == 1, 30, "the second try")
        assert len(sink.counts()) == 1
        assert b"E-mail is not going out" not in client.get(f"/events/{slug}/manage").data
    finally:
        sink.stop()


def test_sigterm_lets_the_batch_in_hand_finish(setup):
    """`confapp worker` stopped with SIGTERM mid-batch: the batch in hand is sent to its end
    and marked, nothing stays claimed, nothing is sent twice."""
    sink = Sink(free_port(), delay=0.05).start()
    try:
        producer, workers = setup(mail_port=sink.port, MAIL_CLAIM_TIMEOUT=600, MAIL_BATCH_SIZE=40)
        ids = queue_plain(producer, 40)
        worker = workers.start("-w", "1")
        wait_for(lambda: len(sink.received) >= 5, 60, "the batch under way")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(60) == 0, workers.log(0)
        counts = sink.counts()
    finally:
        sink.stop()
    assert set(counts) == set(ids) and max(counts.values()) == 1
    after = statuses(producer)
    assert after["sent"] == 40 and after["sending"] == 0

"""write_turn: SQLite writers queue on a file lock instead of sleeping in SQLite's busy loop."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
import sqlalchemy as sa

from confapp import db as db_module
from confapp.db import write_turn


@pytest.fixture
def engine(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'door.db'}")
    yield engine
    engine.dispose()


def _other_process_could_lock(path: str) -> bool:
    # A second open file description stands for another gunicorn worker.
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_the_turn_is_a_lock_other_processes_see(engine, tmp_path):
    lock_path = str(tmp_path / "door.db-writers")
    with engine.connect() as conn:
        with write_turn(conn):
            assert os.path.exists(lock_path)
            assert not _other_process_could_lock(lock_path)
        assert _other_process_could_lock(lock_path)


def test_threads_of_one_process_take_turns(engine):
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first():
        with engine.connect() as conn, write_turn(conn):
            order.append("first in")
            inside.set()
            release.wait(5)
            order.append("first out")

    def second():
        inside.wait(5)
        with engine.connect() as conn, write_turn(conn):
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inside.wait(5)
    time.sleep(0.2)  # the second thread is waiting for its turn by now
    assert order == ["first in"]
    release.set()
    for thread in threads:
        thread.join(5)
    assert order == ["first in", "first out", "second in"]


def test_the_turn_is_released_when_the_write_fails(engine, tmp_path):
    with engine.connect() as conn:
        with pytest.raises(RuntimeError), write_turn(conn):
            raise RuntimeError("insert failed")
    assert _other_process_could_lock(str(tmp_path / "door.db-writers"))


def test_a_forked_worker_opens_its_own_lock_file(engine, monkeypatch):
    with engine.connect() as conn, write_turn(conn):
        pass
    database = engine.url.database
    parent_line = db_module._lines[database]
    monkeypatch.setattr(db_module.os, "getpid", lambda: parent_line.pid + 1)
    child_line = db_module._writer_line(database)
    assert child_line is not parent_line and child_line.fd != parent_line.fd


def test_no_lock_file_for_memory_databases(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn, write_turn(conn):
        pass
    assert os.listdir(tmp_path) == []

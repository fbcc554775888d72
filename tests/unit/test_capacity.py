"""The shared capacity + waiting-list service, without HTTP."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from confapp.capacity import services as capacity
from confapp.capacity.models import CapacityPool
from confapp.errors import ValidationFailed
from confapp.extensions import db


def test_try_take_stops_at_capacity(app_ctx):
    pool = capacity.new_pool(2)
    db.session.flush()
    assert [capacity.try_take(pool) for _ in range(3)] == [True, True, False]
    assert pool.taken == 2
    assert pool.seats_left == 0


def test_unlimited_pool_always_takes(app_ctx):
    pool = capacity.new_pool(None)
    db.session.flush()
    assert all(capacity.try_take(pool) for _ in range(50))
    assert pool.seats_left is None


def test_release_never_goes_below_zero(app_ctx):
    pool = capacity.new_pool(1)
    db.session.flush()
    capacity.release(pool)
    assert pool.taken == 0


def test_capacity_cannot_drop_below_taken(app_ctx):
    pool = capacity.new_pool(3)
    db.session.flush()
    capacity.try_take(pool)
    capacity.try_take(pool)
    with pytest.raises(ValidationFailed, match="2 places are already taken"):
        capacity.set_capacity(pool, 1)
    capacity.set_capacity(pool, 2)
    assert pool.capacity == 2


def test_database_refuses_overbooking_even_without_the_service(app_ctx):
    pool = capacity.new_pool(1)
    db.session.flush()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.update(CapacityPool).where(CapacityPool.id == pool.id).values(taken=2)
        )
    db.session.rollback()


def test_negative_capacity_is_refused(app_ctx):
    with pytest.raises(ValidationFailed):
        capacity.new_pool(-1)

"""Flask-Migrate, imported only when a `confapp db` command (or an upgrade) needs it.

Importing Flask-Migrate imports Alembic, which is a large share of the start-up of every
process; web workers and most commands never migrate. ``LazyMigrate.init_app`` stores
what Flask-Migrate needs and registers a ``db`` command group that loads the real one on
first use; ``app.extensions["migrate"]`` gives Flask-Migrate's functions (``upgrade()``
in ``confapp demo`` and the tests) the configuration they expect.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask import g
from flask.cli import with_appcontext


class _Config:
    """Stands for Flask-Migrate's ``_MigrateConfig``: the real Migrate on first use."""

    def __init__(self, owner: LazyMigrate, db: Any, kwargs: dict[str, Any]) -> None:
        self._owner = owner
        self.db = db
        self.directory = owner.directory
        self.configure_args = dict(kwargs)
        self._migrate = None

    @property
    def migrate(self):
        """The real flask_migrate.Migrate."""
        if self._migrate is None:
            from flask_migrate import Migrate

            self._migrate = Migrate(db=self.db, directory=self.directory, **self.configure_args)
        return self._migrate

    @property
    def metadata(self):
        """The models' metadata (older env.py files read it here)."""
        return self.db.metadata


class LazyMigrate:
    """Drop-in for ``flask_migrate.Migrate`` that defers importing Alembic."""

    def __init__(self) -> None:
        self.directory = "migrations"

    def init_app(self, app: Flask, db: Any, directory: str = "migrations", **kwargs: Any) -> None:
        """Remember the settings and register the `db` command group."""
        self.directory = str(directory)
        kwargs.setdefault("compare_type", True)
        kwargs.setdefault("render_as_batch", True)
        app.extensions["migrate"] = _Config(self, db, kwargs)
        app.cli.add_command(_db_group, name="db")


class _LazyGroup(click.Group):
    """Flask-Migrate's `db` group, loaded when one of its commands is asked for."""

    def _real(self) -> click.Group:
        from flask_migrate.cli import db

        return db

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The real group's commands."""
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str):
        """One of the real group's commands."""
        return self._real().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup)
@click.option(
    "-d", "--directory", default=None, help='Migration script directory (default is "migrations")'
)
@click.option(
    "-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts"
)
@with_appcontext
def _db_group(directory, x_arg):
    """Perform database migrations."""
    # What flask_migrate.cli.db does; Migrate.get_config() reads these.
    g.directory = directory
    g.x_arg = x_arg

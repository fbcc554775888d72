"""Jobs organisers start and watch: what was asked, how it went, where the result is."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from confapp.db import str_enum
from confapp.db import utcnow
from confapp.extensions import db

if TYPE_CHECKING:
    from confapp.accounts.models import User
    from confapp.events.models import Event


class JobStatus(enum.StrEnum):
    """A job waits in the queue, runs, then is done or failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """How readers name this value, in their language (the ``|label`` filter)."""
        return str(_JOB_STATUS_LABELS[self])


_JOB_STATUS_LABELS = {
    JobStatus.QUEUED: _l("Queued"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.DONE: _l("Done"),
    JobStatus.FAILED: _l("Failed"),
}


class Job(db.Model):
    """One run of a tracked job (badge PDFs, an import, "Schedule all"...).

    Progress while it runs lives in the job engine's own store (written often, from a
    worker that may hold the database's write lock); the row says what the page shows
    before and after: status, the final count, the result file and the report.
    """

    __tablename__ = "job"
    __log__ = False  # the action that starts a job is logged; the job's bookkeeping is not
    __table_args__ = (sa.Index("ix_job_event_id_created_at", "event_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(64))
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Read-only, for the job's function (Run.event, Run.user); named rather than imported,
    # since jobs sit below events and accounts.
    event: Mapped[Event | None] = relationship("Event", viewonly=True)
    created_by: Mapped[User | None] = relationship("User", viewonly=True)
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus), default=JobStatus.QUEUED)
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # The result file, inside the job's folder under JOBS_RESULTS_DIR, and how to offer it.
    result_file: Mapped[str | None] = mapped_column(sa.String(200))
    result_name: Mapped[str | None] = mapped_column(sa.String(200))
    result_mime: Mapped[str | None] = mapped_column(sa.String(100))
    report: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    # Result and row are removed after this (JOBS_RESULT_TTL after the end).
    expires_at: Mapped[dt.datetime | None]

    @property
    def finished(self) -> bool:
        """Whether the job has ended, well or not."""
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

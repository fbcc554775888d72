"""Reading the app's calendars with parsers other than the icalendar package that writes
them: vobject (Python) and ical.js (JavaScript, run under Node from tests/vendor/icaljs).

Each reader returns what a calendar client would show: the METHOD and, per event, its UID,
summary, start and end in UTC, SEQUENCE, STATUS, organiser and attendees.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vobject

ICALJS = Path(__file__).parent / "vendor" / "icaljs" / "read.mjs"


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _party(prop) -> dict | None:
    if prop is None:
        return None
    cn = prop.params.get("CN", [None])[0]
    return {"value": prop.value, "cn": cn}


def read_vobject(body: bytes) -> dict:
    """The calendar as vobject reads it (raises if vobject cannot parse it)."""
    cal = vobject.readOne(body.decode("utf-8"))
    method = cal.contents.get("method")
    events = []
    for vevent in getattr(cal, "vevent_list", []):
        c = vevent.contents
        events.append(
            {
                "uid": vevent.uid.value,
                "summary": vevent.summary.value,
                "start": _utc(vevent.dtstart.value),
                "end": _utc(vevent.dtend.value),
                "sequence": int(c["sequence"][0].value) if "sequence" in c else 0,
                "status": c["status"][0].value if "status" in c else None,
                "organizer": _party(c["organizer"][0]) if "organizer" in c else None,
                "attendees": [_party(a) for a in c.get("attendee", [])],
                "description": c["description"][0].value if "description" in c else None,
            }
        )
    return {"method": method[0].value if method else None, "events": events}


def read_icaljs(body: bytes, tmp_path: Path) -> dict:
    """The calendar as ical.js reads it; skips the test when Node is not installed."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: ical.js cannot read the calendar")
    path = tmp_path / "calendar.ics"
    path.write_bytes(body)
    out = subprocess.run(  # noqa: S603 - a fixed script on a file this test wrote
        [node, str(ICALJS), str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    data = json.loads(out.stdout)
    for event in data["events"]:
        for key in ("start", "end"):
            event[key] = event[key].replace(".000Z", "Z")
    return data


def read_both(body: bytes, tmp_path: Path) -> dict:
    """Read with vobject and ical.js; both must see the same method, events and times."""
    by_vobject = read_vobject(body)
    by_icaljs = read_icaljs(body, tmp_path)
    assert by_vobject["method"] == by_icaljs["method"]
    keys = ("uid", "summary", "start", "end", "sequence", "status")
    assert [{k: e[k] for k in keys} for e in by_vobject["events"]] == [
        {k: e[k] for k in keys} for e in by_icaljs["events"]
    ]
    return by_vobject

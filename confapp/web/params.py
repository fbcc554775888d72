"""Numbers from query strings, parsed in one place.

``int("٣")`` is 3 and ``int("²")`` raises, and a 25-digit number is a valid Python int that
no database column can hold; ``request.args.get(..., type=int)`` lets all of that through.
Here an id or a count is plain ASCII digits within the range of an id, else the default.
"""

from __future__ import annotations

import re

from flask import request

from confapp.db import MAX_ID

_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_int(text: str | None, *, default: int | None = None, maximum: int = MAX_ID) -> int | None:
    """A plain non-negative integer in range from `text`, else `default`."""
    if text is None or not _DIGITS.fullmatch(text.strip()):
        return default
    value = int(text.strip())
    return value if value <= maximum else default


def int_arg(name: str, *, default: int | None = None, maximum: int = MAX_ID) -> int | None:
    """A query-string integer (an id, a page number), or `default` when absent or not one."""
    return parse_int(request.args.get(name), default=default, maximum=maximum)


def int_list(values: list[str], *, maximum: int = MAX_ID) -> list[int]:
    """The plain in-range integers among form or query values (ids of a bulk action)."""
    parsed = (parse_int(v, maximum=maximum) for v in values)
    return [v for v in parsed if v is not None]

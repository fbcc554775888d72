"""The dashboard's figures as the reader sees them: a chart, a table and a CSV each.

One list of :class:`Figure` feeds the dashboard page, the CSV downloads, the PDF report and
the XLSX workbook, so the four always show the same numbers with the same names.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
from collections.abc import Sequence

from babel import numbers as babel_numbers
from flask_babel import format_percent
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup

from confapp import country_groups as cg
from confapp.analytics import charts
from confapp.analytics.services import HELD_SCAN_LEAD
from confapp.analytics.services import NOT_GIVEN
from confapp.analytics.services import OTHER
from confapp.analytics.services import UNCLASSIFIED
from confapp.analytics.services import Dashboard
from confapp.analytics.services import Linkage
from confapp.countries import country_name
from confapp.i18n import format_date
from confapp.i18n import format_local

TOP_COUNTRIES = 15
CHART_ROWS = 25  # sessions and visits: the chart shows the fullest, the table shows all

STATUS = {
    "pending": _l("Pending approval"),
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("Waiting list"),
    "cancelled": _l("Cancelled"),
    "rejected": _l("Not accepted"),
}
ORGANISATION_TYPE = {
    "policy_maker": _l("Policy maker / government"),
    "msme": _l("MSME (enterprise)"),
    "cluster_association": _l("Cluster association"),
    "financial_institution": _l("Financial institution"),
    "knowledge_institution": _l("Research or knowledge institution"),
    "implementing_agency": _l("Implementing agency"),
    "international_organisation": _l("International organisation"),
    "other": _l("Other"),
}
SECTOR = {"industry": _l("Industry"), "agriculture": _l("Agriculture"), "services": _l("Services")}
CATEGORY = {
    "delegate": _l("Delegate"),
    "speaker": _l("Speaker"),
    "press": _l("Press"),
    "sponsor": _l("Sponsor"),
    "organising_staff": _l("Organising staff"),
}
GENDER = {
    "woman": _l("Woman"),
    "man": _l("Man"),
    "another_term": _l("Another term"),
    "prefer_not_to_say": _l("Prefer not to say"),
    NOT_GIVEN: _l("Not asked or not answered"),
}
VISA = {"requested": _l("Awaiting a decision"), "approved": _l("Issued"), "rejected": _l("Refused")}
FUNNEL = {
    "profiles": _l("Directory profiles"),
    "requested": _l("Requests sent"),
    "accepted": _l("Accepted"),
    "scheduled": _l("Scheduled"),
    "held": _l("Held"),
}
DEVELOPMENT = {
    "LDC": _l("Least developed countries"),
    "OTHER_DEVELOPING": _l("Other developing countries"),
    "DEVELOPED": _l("Developed countries"),
}


@dataclasses.dataclass
class Table:
    """A figure's numbers: column heads and rows of plain values (numbers stay numbers)."""

    headers: list[str]
    rows: list[list[str | int | float | None]]

    def csv(self) -> str:
        """The table as CSV (UTF-8 with a BOM so Excel opens accents right)."""
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(self.headers)
        for row in self.rows:
            writer.writerow(["" if v is None else _csv_safe(v) for v in row])
        return out.getvalue()


def _csv_safe(value):
    # A cell starting with = + - @ is a formula to a spreadsheet: quote it as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@dataclasses.dataclass
class Figure:
    """One figure: its key (URLs, CSV names), title, description, chart and table."""

    key: str
    title: str
    desc: str
    chart: Markup | None
    table: Table
    note: str = ""

    @property
    def wide(self) -> bool:
        """Whether the table needs the page's full width (below the chart, not beside it)."""
        return len(self.table.headers) > 4


def number(value) -> str:
    """A count or a share in the reader's language ('' for none)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return _formatted(str(get_locale() or "en"), value)


@functools.lru_cache(maxsize=8192, typed=True)
def _formatted(locale: str, value: int | float) -> str:
    # Babel formats a number in ~60 µs; a dashboard of 400 sessions shows 8,000 of them,
    # mostly the same small counts, so each (language, value) is formatted once.
    if isinstance(value, float):
        return babel_numbers.format_decimal(value, format="#,##0.#", locale=locale)
    return babel_numbers.format_decimal(value, locale=locale)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _label(mapping: dict, key: str) -> str:
    return str(mapping.get(key, key))


def _bars(pairs: Sequence[tuple[str, int]], names: dict | None = None, whole: int | None = None):
    total = whole if whole is not None else sum(n for _, n in pairs)
    bars, rows = [], []
    for key, n in pairs:
        name = _label(names, key) if names is not None else key
        share = _share(n, total)
        text = number(n) if share is None else f"{number(n)} ({format_percent(share / 100)})"
        bars.append(charts.Bar(name, n, text))
        rows.append([name, n, share])
    return bars, rows


def _distribution(key, title, desc, pairs, names=None, *, rtl, whole=None, note="") -> Figure:
    bars, rows = _bars(pairs, names, whole)
    table = Table([_("Group"), _("Registrations"), _("Share (%)")], rows)
    chart = charts.bar_chart(key, title, desc, bars, rtl=rtl) if bars else None
    return Figure(key, title, desc, chart, table, note)


def area_name(key: str) -> str:
    """An M49 area or group name, or the name of the unclassified remainder."""
    if key == UNCLASSIFIED:
        return _("Not classified by M49")
    if key in DEVELOPMENT:
        return str(DEVELOPMENT[key])
    return cg.group_name(key)


def _registrations_over_time(d: Dashboard, event, rtl: bool) -> Figure:
    title = _("Registrations over time")
    columns, rows = [], []
    for day in d.days:
        confirmed = day.by_status["confirmed"]
        label = format_date(day.day, "%d %b")
        columns.append(
            charts.Column(
                label, confirmed, day.total - confirmed, day.cumulative, day.cumulative_confirmed
            )  # fmt: skip
        )
        rows.append(
            [
                day.day.isoformat(),
                *(day.by_status[s] for s in STATUS),
                day.total,
                day.cumulative,
                day.cumulative_confirmed,
            ]  # fmt: skip
        )
    total = d.days[-1].cumulative if d.days else 0
    desc = _(
        "%(total)s registrations over %(days)s days; %(confirmed)s confirmed.",
        total=number(total),
        days=number(len(d.days)),
        confirmed=number(d.status_counts.get("confirmed", 0)),
    )
    if d.capacity:
        desc += " " + _("Capacity: %(capacity)s places.", capacity=number(d.capacity))
    chart = None
    if columns:
        # Two charts: new registrations per day would be flattened on the scale of the
        # running totals, so each gets its own.
        daily = [charts.Column(c.label, c.solid, c.light) for c in columns]
        totals = [charts.Column(c.label, 0, 0, c.line_a, c.line_b) for c in columns]
        peak = max((day.total for day in d.days), default=0)
        chart = charts.column_chart(
            "registrations_per_day",
            _("New registrations per day"),
            _("The busiest day brought %(peak)s registrations.", peak=number(peak)),
            daily,
            rtl=rtl,
            legend=[("bar", _("Confirmed, by day")), ("light", _("Other statuses, by day"))],
            fmt=lambda v: number(int(v)),
        ) + charts.column_chart(
            "registrations_over_time",
            title,
            desc,
            totals,
            rtl=rtl,
            legend=[("line_a", _("All, cumulative")), ("line_b", _("Confirmed, cumulative"))],
            reference=(d.capacity, _("Capacity")) if d.capacity else None,
            fmt=lambda v: number(int(v)),
        )
    headers = [_("Day"), *(str(name) for name in STATUS.values()), _("All"),
               _("All, cumulative"), _("Confirmed, cumulative")]  # fmt: skip
    return Figure("registrations_over_time", title, desc, chart, Table(headers, rows))


def _countries(d: Dashboard, rtl: bool) -> Figure:
    title = _("Countries")
    pairs = d.top_countries(TOP_COUNTRIES)
    rest = len(d.countries) - TOP_COUNTRIES
    names = {code: country_name(code) or _("Not given") for code, _n in pairs}
    if rest > 0:
        names[OTHER] = ngettext("%(num)d other country", "%(num)d other countries", rest)
    desc = _(
        "Confirmed registrations from %(count)s countries; the %(top)s with most are named.",
        count=number(d.countries_represented),
        top=number(min(TOP_COUNTRIES, len(d.countries))),
    )
    figure = _distribution("countries", title, desc, pairs, names, rtl=rtl)
    # The table lists every country (the chart groups the smallest as "other").
    _bars_all, rows = _bars(
        d.countries, {c: country_name(c) or _("Not given") for c, _n in d.countries}
    )
    figure.table = Table([_("Country"), _("Registrations"), _("Share (%)")], rows)
    for row, (code, _n) in zip(figure.table.rows, d.countries, strict=True):
        row.insert(1, code)
    figure.table.headers.insert(1, _("ISO code"))
    return figure


def _groups(d: Dashboard, rtl: bool) -> Figure:
    title = _("Country groups (UN M49)")
    names = {key: cg.group_name(key) for key, _n in d.country_groups}
    desc = _(
        "Confirmed registrations from least developed, landlocked developing and small island "
        "developing states, and from developing and developed regions; a country can be in "
        "several groups, so the shares may add up to more than the whole."
    )
    note = _(
        "Groups as the UN Statistics Division lists them (M49; least developed countries as "
        "of %(date)s).",
        date=cg.LISTS_AS_OF,
    )
    return _distribution(
        "country_groups", title, desc, d.country_groups, names, rtl=rtl, whole=d.confirmed,
        note=note,
    )  # fmt: skip


def _sessions(d: Dashboard, event, rtl: bool) -> Figure:
    title = _("Sessions: attendance against room capacity and sign-ups")
    fullest = sorted(d.sessions, key=lambda s: (-(s.fill_rate or 0), -s.attended))[:CHART_ROWS]
    bars = [
        charts.Bar(
            s.title,
            s.attended,
            _(
                "%(attended)s of %(capacity)s",
                attended=number(s.attended),
                capacity=number(s.room_capacity),
            )
            if s.room_capacity
            else number(s.attended),
            outline=s.signups or None,
            marker=s.room_capacity,
        )  # fmt: skip
        for s in fullest
    ]
    desc = _(
        "%(count)s sessions; the chart shows the %(shown)s fullest against their room's "
        "capacity (dashed line) and sign-ups (outlined bar); the table lists them all.",
        count=number(len(d.sessions)),
        shown=number(len(fullest)),
    )
    chart = None
    if bars:
        chart = charts.bar_chart(
            "sessions", title, desc, bars, rtl=rtl,
            legend=[("bar", _("Scanned in")), ("outline", _("Signed up")),
                    ("marker", _("Room capacity"))],
        )  # fmt: skip
    rows = [
        [
            format_local(s.starts_at, event, "%a %d %b, %H:%M"),
            s.title,
            s.room,
            s.room_capacity,
            s.seat_limit,
            s.signups,
            s.attended,
            round(100 * s.fill_rate, 1) if s.fill_rate is not None else None,
        ]  # fmt: skip
        for s in d.sessions
    ]
    headers = [_("Starts"), _("Session"), _("Room"), _("Room capacity"), _("Seat limit"),
               _("Signed up"), _("Scanned in"), _("Room filled (%)")]  # fmt: skip
    return Figure("sessions", title, desc, chart, Table(headers, rows))


def _visits(d: Dashboard, event, rtl: bool) -> Figure:
    title = _("Visits: people on board against seats")
    bars = [
        charts.Bar(
            v.title,
            v.boarded,
            _("%(boarded)s of %(seats)s", boarded=number(v.boarded), seats=number(v.seats)),
            outline=v.signed_up or None,
            marker=v.seats or None,
        )  # fmt: skip
        for v in d.visits[:CHART_ROWS]
    ]
    desc = _(
        "%(count)s visits: people scanned on board (bar), confirmed sign-ups (outlined bar) "
        "and seats on the buses (dashed line).",
        count=number(len(d.visits)),
    )
    chart = None
    if bars:
        chart = charts.bar_chart(
            "visits", title, desc, bars, rtl=rtl,
            legend=[("bar", _("Boarded")), ("outline", _("Signed up")), ("marker", _("Seats"))],
        )  # fmt: skip
    rows = [
        [
            format_local(v.departs_at, event, "%a %d %b, %H:%M"),
            v.title,
            v.seats,
            v.signed_up,
            v.boarded,
            _share(v.boarded, v.seats),
        ]  # fmt: skip
        for v in d.visits
    ]
    headers = [_("Departs"), _("Visit"), _("Seats"), _("Signed up"), _("Boarded"),
               _("Seats filled (%)")]  # fmt: skip
    return Figure("visits", title, desc, chart, Table(headers, rows))


def _entrance(d: Dashboard, event, rtl: bool) -> Figure:
    title = _("Entrance check-ins per 15 minutes")
    columns = [charts.Column(format_local(moment, event, "%H:%M"), n) for moment, n in d.entrance]
    desc = _(
        "%(count)s people scanned at the entrance; busiest quarter hour: %(peak)s.",
        count=number(sum(n for _m, n in d.entrance)),
        peak=number(max((n for _m, n in d.entrance), default=0)),
    )
    chart = None
    if columns:
        chart = charts.column_chart(
            "entrance", title, desc, columns, rtl=rtl, fmt=lambda v: number(int(v))
        )
    rows = [[format_local(moment, event, "%a %d %b, %H:%M"), n] for moment, n in d.entrance]
    return Figure("entrance", title, desc, chart, Table([_("From"), _("Check-ins")], rows))


def _attendance(d: Dashboard) -> Figure:
    title = _("Arrivals and no-shows")
    pairs = [("checked_in", d.checked_in), ("no_show", d.no_show)]
    names = {"checked_in": _("Scanned at the entrance"), "no_show": _("Never scanned")}
    if d.no_show_rate is None:
        desc = _("The no-show rate is given once the event has started.")
    else:
        desc = _(
            "No-show rate: %(rate)s of %(confirmed)s confirmed registrations.",
            rate=format_percent(d.no_show_rate, format="#,##0.#%"),
            confirmed=number(d.confirmed),
        )
    return _distribution("attendance", title, desc, pairs, names, rtl=False, whole=d.confirmed)


def _funnel(d: Dashboard, rtl: bool) -> Figure:
    title = _("Networking funnel")
    f = d.funnel
    desc = _(
        "From %(profiles)s directory profiles to %(held)s meetings held; cooperation "
        "likely after %(coop)s of them.",
        profiles=number(f.profiles),
        held=number(f.held),
        coop=number(f.cooperation_likely),
    )
    if f.average_rating is not None:
        desc += " " + _("Average rating: %(rating)s out of 5.", rating=number(f.average_rating))
    figure = _distribution("funnel", title, desc, f.steps(), FUNNEL, rtl=rtl,
                           whole=f.requested or None)  # fmt: skip
    figure.table.headers[2] = _("Share of requests (%)")
    figure.table.rows += [
        [_("Cooperation likely"), f.cooperation_likely, _share(f.cooperation_likely, f.requested)],
        [_("Average rating (1 to 5)"), f.average_rating, None],
    ]
    figure.note = _(
        "A booked meeting counts as held when both delegates were scanned at the networking "
        "meetings area during its slot (from %(minutes)s minutes before it starts until it "
        "ends), or when the feedback given says it took place (and neither delegate said it "
        "did not).",
        minutes=number(int(HELD_SCAN_LEAD.total_seconds() // 60)),
    )
    return figure


def _linkage(key: str, title: str, linkage: Linkage, rtl: bool, note: str = "") -> Figure:
    names = [area_name(k) for k in linkage.keys]
    total = sum(linkage.pairs.values())
    desc = _(
        "%(total)s meetings held, counted by the groups of the two delegates; the diagonal "
        "counts meetings inside one group.",
        total=number(total),
    )
    chart = None
    if linkage.keys:
        chart = charts.heat_map(
            key, title, desc, names,
            lambda i, j: linkage.count(linkage.keys[i], linkage.keys[j]), rtl=rtl,
        )  # fmt: skip
    rows = [
        [names[i], *(linkage.count(a, b) for b in linkage.keys)] for i, a in enumerate(linkage.keys)
    ]
    return Figure(key, title, desc, chart, Table([_("Group"), *names], rows), note)


def figures(d: Dashboard, event, *, rtl: bool = False) -> list[Figure]:
    """Every figure of the dashboard, in reading order."""
    return [
        _registrations_over_time(d, event, rtl),
        _countries(d, rtl),
        _distribution(
            "regions", _("Regions (UN M49)"),
            _("Confirmed registrations by world region."),
            d.regions, {k: area_name(k) for k, _n in d.regions}, rtl=rtl,
        ),
        _groups(d, rtl),
        _distribution("organisation_types", _("Organisation types"),
                      _("Confirmed registrations by the kind of organisation they represent."),
                      d.organisation_types, ORGANISATION_TYPE, rtl=rtl),
        _distribution("sectors", _("Sectors"), _("Confirmed registrations by economic sector."),
                      d.sectors, SECTOR, rtl=rtl),
        _distribution("categories", _("Categories"),
                      _("Confirmed registrations by registration category."),
                      d.categories, CATEGORY, rtl=rtl),
        _distribution(
            "gender", _("Gender"),
            _("Confirmed registrations by the answer to the optional gender question "
              "(reported in aggregate only)."),
            d.genders, GENDER, rtl=rtl,
        ),
        _distribution("visa", _("Visa invitation letters"),
                      _("Requests for a visa invitation letter, by decision."),
                      list(d.visa.items()), VISA, rtl=rtl),
        _attendance(d),
        _entrance(d, event, rtl),
        _sessions(d, event, rtl),
        _visits(d, event, rtl),
        _funnel(d, rtl),
        _linkage("linkage_regions", _("Meetings held between regions"), d.linkage_regions, rtl),
        _linkage(
            "linkage_development", _("South-South linkages: meetings held by development group"),
            d.linkage_development, rtl,
            note=_("South-South: %(count)s meetings held between two delegates from developing "
                   "countries.", count=number(d.south_south)),
        ),
    ]  # fmt: skip


def headline(d: Dashboard) -> list[tuple[str, str]]:
    """The few numbers a funder asks first (label, value), for the page top and the PDF."""
    groups = dict(d.country_groups)
    women = d.women_share()
    items = [
        (_("Confirmed registrations"), number(d.confirmed)),
        (_("Countries"), number(d.countries_represented)),
        (_("From least developed countries"), number(groups.get(cg.LDC, 0))),
        (_("From small island developing states"), number(groups.get(cg.SIDS, 0))),
        (_("Women (of those who answered)"),
         format_percent(women, format="#,##0.#%") if women is not None else "–"),
        (_("Scanned at the entrance"), number(d.checked_in)),
        (_("Meetings held"), number(d.funnel.held)),
        (_("South-South meetings held"), number(d.south_south)),
    ]  # fmt: skip
    return items

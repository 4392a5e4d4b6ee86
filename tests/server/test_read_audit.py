"""The read-audit walk: every GET route of the router is classified (tests/server/read_audit_pages.py), and each is
visited as the roles that may see it, on the demo's records, asserting the exact read events the page wrote.

What "one read event per record shown" means (docs/audit-actions.md, "Read events"): a page writes one event for the
record it is about (the chart, an infusion, a note, an entry, a measure result, a form about a patient), plus one
event per other room's panel that shows records' words (the shared journal entries on the chart, on an infusion and
beside the note editor: one `journal.shared_viewed` naming every entry shown; the notes' shared summaries on the
patient's journal home: one `note.summaries_read` naming the notes). A panel that shows nothing writes nothing; a
list page writes its one list event; titles, dates and statuses listed on a record's page (the notes panel, the
courses and measures on the chart) are covered by that page's own event. A new GET route fails
`test_every_get_route_is_classified` until it is added to SHOWS_PHI or SHOWS_NO_PHI.
"""

from __future__ import annotations

from server.models import AuditEvent
from server.policy import PUBLIC
from server.web import Urls
from tests.conftest import another, login
from tests.server.read_audit_pages import ROLE_OF, SHOWS_NO_PHI, SHOWS_PHI, Event, Visit, demo_records


def _get_routes(app) -> dict[str, frozenset[str]]:
    """Every GET route's name ("room:name") with the roles it declares."""
    index = Urls(app.routes).index
    return {name: frozenset(r.endpoint.roles) for name, r in index.items() if "GET" in (r.methods or ())}


def _visits() -> list[tuple[str, Visit, bool]]:
    found = [(name, visit, True) for name, visits in SHOWS_PHI.items() for visit in visits]
    return found + [(name, visit, False) for name, (_, visits) in SHOWS_NO_PHI.items() for visit in visits]


def test_every_get_route_is_classified(app):
    routes = _get_routes(app)
    table = set(SHOWS_PHI) | set(SHOWS_NO_PHI)
    assert not set(SHOWS_PHI) & set(SHOWS_NO_PHI)
    assert sorted(set(routes) - table) == [], "classify these GET routes in SHOWS_PHI or SHOWS_NO_PHI"
    assert sorted(table - set(routes)) == [], "these are no GET route's name any more"
    for name, visit, _ in _visits():
        role = "public" if visit.who is None else ROLE_OF[visit.who]
        assert role in routes[name] or routes[name] == PUBLIC, f"{name} is not for {role}"
    assert all(SHOWS_PHI.values()) and all(visits for _, visits in SHOWS_NO_PHI.values())


def _unmatched(expected: list[Event], written: list[Event]) -> tuple[list[Event], list[Event]]:
    """The expected events not written and the written events not expected, as multisets (ANY matches a detail)."""
    left, missing = list(written), []
    for want in expected:
        if want in left:
            left.remove(want)
        else:
            missing.append(want)
    return missing, left


async def test_every_page_writes_exactly_the_read_events_of_what_it_shows(client, demo, settings):
    d = await demo_records(settings.var_dir)
    problems = []
    for name, visit, phi in _visits():
        async with another(client) as browser:
            if visit.who:
                assert (await login(browser, visit.who)).status_code == 303
            before = await AuditEvent.all().count()
            url = visit.path.format(**vars(d))
            response = await browser.get(url, headers=visit.headers)
            rows = await AuditEvent.filter(seq__gt=before).order_by("seq")
        assert response.status_code in (200, 303), f"{url} as {visit.who}: {response.status_code}"
        written = [(e.action, e.object_type, e.object_id, e.patient_id, e.detail) for e in rows]
        missing, extra = _unmatched([e.on(d) for e in visit.events], written)
        if missing or extra:
            problems.append(f"{name} {url} as {visit.who}: missing {missing}, not expected {extra}")
        if phi and not written:
            problems.append(f"{name} {url} as {visit.who} shows patient data and wrote no read event")
    assert problems == [], "\n".join(problems)


async def test_the_walk_opens_records_that_have_what_it_checks(client, demo, settings):
    """The walk's expectations are not empty by accident: the demo has the shared entries, summaries and notes."""
    d = await demo_records(settings.var_dir)
    assert d.chart_entries and d.infusion4_entries and d.prefill_5 and d.prefill_4 and d.summaries
    assert d.entry in d.chart_entries and d.previous_note != d.draft_note

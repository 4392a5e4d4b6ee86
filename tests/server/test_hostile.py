"""Hostile input never reaches a 500: every route, walked from the router, with NUL and other control characters,
lone surrogates (as a broken client would percent-encode them), ids beyond the database's integer range and odd
text, in forms, query strings and path ids, for every role. Runs on whichever database the suite runs on."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.web import leaf_routes
from tests.conftest import csrf_from, login, token

ROLES = ("patient@demo.clinic", "therapist@demo.clinic", "supervisor@demo.clinic", "admin@demo.clinic")
FIELDS = tuple(
    """body title email name password mrn reason comment action_taken therapist_id count days version number q before
    since until actor patient action outcome infusion_id vital_id status kind signed_on review_note crisis_phone
    draft_key form_key s_data minute_offset systolic instrument amend_reason""".split()
)
SHARP = ["\x00", "a\x00b", "x\x1by", "\x7f", "%ED%A0%80", "9" * 30, str(2**31), str(2**63), "-1", "0", "", " " * 3]
VALUES = st.one_of(st.sampled_from(SHARP), st.text(max_size=30))
IDS = st.sampled_from([1, 2, 3, 2**31 - 1, 2**31, 2**63, 10**30])
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def _encode(fields: dict[str, str]) -> str:
    """A form body as a careless client sends it: "%ED%A0%80" goes raw (a lone surrogate's UTF-8 bytes)."""
    return "&".join(f"{quote(k)}={v if v == '%ED%A0%80' else quote(v, safe='')}" for k, v in fields.items())


async def _csrf(browser: httpx.AsyncClient) -> str:
    """The session's token when signed in (a hostile sign-in may have failed: then the sign-in page's)."""
    page = await browser.get("/account/password")
    return csrf_from(page.text if page.status_code == 200 else (await browser.get("/login")).text)


def _path(template: str, ids: list[int]) -> str:
    values = iter(ids)
    return PARAM.sub(lambda m: "gad7" if m.group(1) == "slug" else str(next(values, 1)), template)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(data=st.data())
async def test_no_route_answers_5xx_to_hostile_input(app, client, demo, data):
    routes = [(r.path, m) for r in leaf_routes(app.routes) for m in sorted(r.methods - {"HEAD"})]
    path, method = data.draw(st.sampled_from(routes))
    who = data.draw(st.sampled_from(ROLES))
    fields = data.draw(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6))
    url = _path(path, data.draw(st.lists(IDS, min_size=2, max_size=2)))
    ip = f"198.51.100.{data.draw(st.integers(1, 254))}"  # hostile sign-ins must not throttle the next example's
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        await login(browser, who)
        if method == "GET":
            r = await browser.get(url + "?" + _encode(fields))
        else:
            body = _encode({**fields, "csrf_token": await _csrf(browser)})
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            r = await browser.post(url, content=body.encode("latin-1", "replace"), headers=headers)
    assert r.status_code < 500, f"{method} {url} as {who} with {fields!r} answered {r.status_code}"


async def test_a_nul_in_an_autosave_is_refused_with_a_line_not_a_page(client, demo):
    await login(client, "patient@demo.clinic")
    csrf = await token(client)
    data = {"csrf_token": csrf, "kind": "free", "version": "0", "draft_key": "k" * 24, "body": "kept\x00words"}
    r = await client.post("/journal/new", data=data, headers={"HX-Request": "true"})
    assert r.status_code == 400 and r.text.startswith('<span class="save-problem" role="alert">Not saved:')
    assert "control character" in r.text and "<html" not in r.text


async def test_an_id_beyond_the_integer_range_is_simply_not_found(client, demo):
    await login(client, "therapist@demo.clinic")
    for path in (f"/patients/{2**31}", f"/infusions/{2**63}", f"/notes/{10**30}"):
        assert (await client.get(path)).status_code == 404

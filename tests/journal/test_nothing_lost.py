"""Nothing a patient writes is lost: interleaved saves from two windows, and a server killed mid-stream."""

from __future__ import annotations

import asyncio
import os
import random
import re
import secrets
import signal
import subprocess
import sys

import httpx
import pytest

from journal.models import JournalEntry, JournalRevision
from tests.care.conftest import sign_in
from tests.conftest import csrf_from
from tests.journal.conftest import HX, draft
from tests.server.test_cli import ROOT, _env, _free_port, _wait_healthy

VERSION = re.compile(r'id="f-version" name="version" value="(\d+)"')


async def test_fifty_interleaved_saves_from_two_tabs_are_all_kept_in_the_entry_and_one_conflict_copy(client, demo):
    """Two open editors on one entry save in turn (shuffled, some at the same moment), as autosave does: every save is
    accepted, the entry and one conflict copy each end with one window's latest words, and no window is ever told to
    copy its text by hand."""
    csrf = await sign_in(client, "patient@demo.clinic")
    base = draft(csrf, body="start")
    await client.post("/journal/new", data=base, headers=HX)
    entry = await JournalEntry.get(draft_key=base["draft_key"])
    url = f"/journal/{entry.id}/draft"
    sittings = {tab: secrets.token_urlsafe(24) for tab in "AB"}
    seen = {"A": 1, "B": 1}
    last = {}
    rng = random.Random(7)

    async def save(tab: str, n: int) -> None:
        body = f"tab {tab} save {n}"
        sent = {**base, "version": str(seen[tab]), "body": body, "sitting": sittings[tab]}
        r = await client.post(url, data=sent, headers=HX)
        assert r.status_code == 200 and "Saved" in r.text and "somewhere safe" not in r.text
        seen[tab] = int(VERSION.search(r.text).group(1))
        last[tab] = body

    for n in range(25):
        pair = [save("A", n), save("B", n)]
        rng.shuffle(pair)
        await asyncio.gather(*pair)
    copies = await JournalEntry.filter(conflict_of_id=entry.id)
    assert len(copies) == 1  # split once; afterwards each window writes on in its own entry
    bodies = {(await JournalEntry.get(id=entry.id)).body, copies[0].body}
    assert bodies == {last["A"], last["B"]}


@pytest.mark.slow
async def test_every_acknowledged_save_survives_the_server_being_killed(demo, settings):
    port = _free_port()
    env = {**_env(settings), "PORT": str(port), "WEB_CONCURRENCY": "1"}
    server = subprocess.Popen(  # noqa: ASYNC220 - a real server, killed with SIGKILL below
        [sys.executable, "-m", "server", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    acknowledged: list[tuple[int, str]] = []
    try:
        base_url = f"http://127.0.0.1:{port}"
        await _wait_healthy(base_url)
        async with httpx.AsyncClient(base_url=base_url) as c:
            page = await c.get("/login")
            await c.post(
                "/login",
                data={
                    "email": "patient@demo.clinic",
                    "password": "quiet-harbor-lantern",
                    "csrf_token": csrf_from(page.text),
                },
            )
            csrf = csrf_from((await c.get("/journal/new")).text)
            data = draft(csrf, body="")
            version, url = 0, "/journal/new"
            kill_after = random.Random(11).randint(15, 30)
            for n in range(60):
                if n == kill_after:
                    pending = asyncio.ensure_future(
                        c.post(url, data={**data, "version": str(version), "body": f"in flight {n}"}, headers=HX)
                    )
                    await asyncio.sleep(0.01)
                    os.killpg(server.pid, signal.SIGKILL)
                    try:
                        await pending
                    except httpx.TransportError:
                        pass
                    break
                body = f"line {n}: " + "words " * n
                r = await c.post(url, data={**data, "version": str(version), "body": body}, headers=HX)
                assert r.status_code == 200
                version = int(VERSION.search(r.text).group(1))
                acknowledged.append((version, body))
                url = r.headers.get("HX-Replace-Url", url).replace("/edit", "/draft")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    stored = dict(await JournalRevision.filter(entry_id=entry.id).values_list("version", "body"))
    assert len(acknowledged) >= 15
    assert all(stored.get(v) == body for v, body in acknowledged)
    assert entry.version >= acknowledged[-1][0]


async def test_a_retried_autosave_that_was_already_stored_answers_saved_not_a_conflict(client, demo):
    """A save stored just before the connection (or the server) dropped is sent again from the same page, still
    naming the version it started from: the words are already there, so the answer is "Saved"."""
    csrf = await sign_in(client, "patient@demo.clinic")
    base = draft(csrf, body="first words")
    await client.post("/journal/new", data=base, headers=HX)
    entry = await JournalEntry.get(draft_key=base["draft_key"])
    url = f"/journal/{entry.id}/draft"
    sent = {**base, "version": "1", "body": "first words, and more"}
    assert (await client.post(url, data=sent, headers=HX)).status_code == 200  # stored; its answer never arrived
    retry = await client.post(url, data=sent, headers=HX)
    assert retry.status_code == 200 and "Saved" in retry.text and "changed in another window" not in retry.text
    assert VERSION.search(retry.text).group(1) == "2"  # the page moves on to version 2
    assert await JournalRevision.filter(entry_id=entry.id).count() == 2

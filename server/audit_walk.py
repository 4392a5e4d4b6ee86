"""`python -m server audit verify` over a long chain: ranges of seq walked in parallel, one process per core.

Every row's hash depends only on its own content and the link it stores, so ranges can be checked independently;
the links between ranges (each range's first stored link against the previous range's last hash) are checked
here afterwards, in seq order, so the first bad row reported is the same one a single walk would report. Rows
appended after the walk started are then checked by the ordinary walk, which also compares the chain head.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from server import audit
from server.audit_range import Ranged, walk_range
from server.models import AuditChainHead

# Below this many events one process is quicker than starting the others.
PARALLEL_FROM = 200_000


def join(ranges: list[Ranged], after_hash: str) -> tuple[audit.Verdict | None, str]:
    """Join consecutive ranges in seq order: the first problem as a failed Verdict (None if all good) and the hash
    the last range ended on."""
    prev = after_hash
    for part in ranges:
        first_row_missing = part.bad_seq == part.start and part.first_prev is None
        if not first_row_missing and part.first_prev is not None and part.first_prev != prev:
            return audit.Verdict(False, part.start - 1, part.start, "link to the previous row is broken"), prev
        if part.bad_seq is not None:
            return audit.Verdict(False, part.bad_seq - 1, part.bad_seq, part.problem), prev
        if part.next_seq != part.end:  # the range ran out of rows before its end: the rest of it is missing
            count = part.next_seq - 1
            problem = f"seq {count + 1} is missing"
            if part is ranges[-1]:  # as the single walk words it: nothing after, but the head says more
                problem = f"chain head says {ranges[-1].end - 1} events; rows after seq {count} are gone"
            return audit.Verdict(False, count, count + 1, problem), prev
        prev = part.last_hash or prev
    return None, prev


async def verify_all(
    url: str, key: bytes, workers: int | None = None, parallel_from: int = PARALLEL_FROM
) -> audit.Verdict:
    """The whole chain, in parallel ranges when it is long (one range, walked in this process, with one worker);
    the same verdict as audit.verify()."""
    workers = workers or os.cpu_count() or 1
    head = await AuditChainHead.get(id=1)
    if head.seq < max(parallel_from, 1):
        return await audit.verify(key)
    step = -(-head.seq // workers)
    bounds = [(start, min(start + step, head.seq + 1)) for start in range(1, head.seq + 1, step)]
    if len(bounds) == 1:
        ranges = [await asyncio.to_thread(walk_range, url, key, *bounds[0])]
    else:
        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(max_workers=len(bounds), mp_context=get_context("spawn")) as pool:
            walks = (loop.run_in_executor(pool, walk_range, url, key, s, e) for s, e in bounds)
            ranges = await asyncio.gather(*walks)
    failed, last_hash = join(list(ranges), audit.GENESIS_HASH)
    if failed is not None:
        return failed
    # Events appended since the walk began, then the chain head, the ordinary way.
    return await audit.verify(key, after_seq=head.seq, after_hash=last_hash)

"""Worker functions run in separate processes by the concurrency tests."""

from __future__ import annotations

import uuid

from geo.errors import VersionConflict
from geo.store import Actor, existing_store

#: A pair of statuses that may follow each other for ever, with no evidence gate (an outfall found non-compliant
#: again after remediation, and remediated again).
TOGGLE = {"remediating": "remediated", "remediated": "remediating"}
TOGGLE_SITE = "PWK-T01"


def toggle_worker(locator: str, site_id: str, changes: int, worker: int) -> dict:
    """Apply ``changes`` status changes to one site, retrying on version conflicts (GeoPackage path or PostGIS URL)."""
    store = existing_store(locator)
    actor = Actor(f"worker-{worker}", role="inspector", client=f"proc-{worker}")
    applied = conflicts = 0
    while applied < changes:
        site = store.get_site(actor, site_id)
        try:
            result = store.change_status(
                actor, site_id, TOGGLE[site.status], expected_version=site.version,
                op_id=uuid.uuid4().hex, source="test",
            )
        except VersionConflict:
            conflicts += 1
            continue
        applied += int(result.applied)
    return {"applied": applied, "conflicts": conflicts}

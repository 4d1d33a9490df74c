"""From a :class:`RawTable` to candidate sites and problems, checked against the layer spec (pure).

The jobs live in their own modules; this one names them and keeps the
import path of the public names:

==========================  =========================================================
:mod:`geo.ingest.plan`      the plan (:class:`ImportPlan`, its JSON report) and
                            :func:`build_plan`, which runs everything below
:mod:`~geo.ingest.filechecks`  the file as a whole: columns mapped twice, declared
                            coordinate systems, no coordinate columns, sample data
:mod:`~geo.ingest.rowchecks`   one row: kind, id, name, town, status, dates, fields, text
:mod:`~geo.ingest.rowcoords`   where a row is: geometry, coordinates, inside Fuqing
:mod:`~geo.ingest.candidates`  ids over the file, create / update / unchanged
:mod:`~geo.ingest.townrows`    official town-boundary files
:mod:`~geo.ingest.refareas`    official reference areas (built-up area, near suburbs ...)
:mod:`~geo.ingest.collect`     the problem collectors; texts in :mod:`~geo.ingest.messages`
==========================  =========================================================
"""

from __future__ import annotations

from geo.ingest.candidates import Candidate, diff_sites
from geo.ingest.plan import ImportPlan, build_plan
from geo.ingest.rowcoords import COUNTY_MARGIN_M, FUQING_MARGIN_DEG, canonical_geometry
from geo.ingest.townrows import TownCandidate

__all__ = ["COUNTY_MARGIN_M", "Candidate", "FUQING_MARGIN_DEG", "ImportPlan", "TownCandidate", "build_plan",
           "canonical_geometry", "diff_sites"]

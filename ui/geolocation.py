"""The device position from the browser (Geolocation API), as a tiny offline component.

Works on ``localhost`` and over HTTPS (browsers refuse geolocation on plain
HTTP from another host; see README "Field inspection on tablets"). The user
taps the button (iOS requires a gesture); the value is ``{"lat", "lon",
"accuracy", "time"}`` or ``{"error": "denied" | "unavailable"}``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

from ui.i18n import t

#: Where the pages keep the device position (``lat``, ``lon``, ``accuracy``, ``time``, ``source`` "gps" | "map").
FIX_KEY = "insp_fix"

_component = components.declare_component("onemap_geolocation", path=str(Path(__file__).parent / "components" / "geolocation"))


def device_position(key: str = "geolocation") -> dict | None:
    """Render the 'locate me' button; return the last fix (or error) the browser reported."""
    return _component(
        labels={"label": t("locate_me"), "waiting": t("locating"), "denied": t("location_denied"),
                "unavailable": t("location_unavailable")},
        key=key,
        default=None,
    )

"""The users' clock: China Standard Time, and the store's UTC timestamps read and shown (pure)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), name="CST")


def today_cst() -> date:
    """Today in China Standard Time (UTC+8), the users' calendar."""
    return datetime.now(CST).date()


def parse_utc(iso_utc: str | None) -> datetime | None:
    """The store's timestamp text (``2025-03-01T06:05:00.000Z``) as an aware datetime; None if empty or unreadable.

    Text without a zone is taken as UTC (the store writes UTC).
    """
    if not iso_utc:
        return None
    try:
        ts = datetime.fromisoformat(str(iso_utc).replace("Z", "+00:00"))
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


def format_cst(iso_utc: str | None, with_seconds: bool = False) -> str:
    """``2025-03-01T06:05:00.000Z`` -> ``2025-03-01 14:05`` (China Standard Time)."""
    ts = parse_utc(iso_utc)
    if ts is None:
        return str(iso_utc or "")
    return ts.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")

"""Responses for files the app serves: strong ETags, long private caching, 304 Not Modified.

Everything served here is named by its content (a digest in the URL), so a
response never changes under its URL: browsers may keep it for a year
(``immutable``) and revalidate with ``If-None-Match`` when they do ask.
``private`` because it was served to a session: a shared cache (a proxy)
must not hand it to someone else.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = ["IMMUTABLE", "NO_STORE", "etag_for", "not_modified", "content_response", "file_response", "not_found"]

#: Content-addressed and behind the session.
IMMUTABLE = "private, max-age=31536000, immutable"
#: Answers that must not be kept (denials, health).
NO_STORE = "no-store"


def etag_for(key: str) -> str:
    """A strong ETag for the content that ``key`` names (a digest of it: reveals nothing else)."""
    return '"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'


def not_modified(request: Request, etag: str) -> bool:
    """Whether the request's ``If-None-Match`` already names ``etag`` (weak comparison, RFC 9110 §13.1.2)."""
    header = request.headers.get("if-none-match", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags


def _headers(etag: str, cache_control: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": cache_control}


def content_response(request: Request, content: bytes | None, etag: str, media_type: str,
                     cache_control: str = IMMUTABLE) -> Response:
    """200 with ``content`` (204 when None: nothing to show), or 304 when the client has it."""
    if not_modified(request, etag):
        return Response(status_code=304, headers=_headers(etag, cache_control))
    if content is None:
        return Response(status_code=204, headers=_headers(etag, cache_control))
    return Response(content, media_type=media_type, headers=_headers(etag, cache_control))


async def file_response(request: Request, path: Path, etag: str, media_type: str,
                        cache_control: str = IMMUTABLE) -> Response:
    """The file at ``path`` (404 when missing), or 304 when the client has it."""
    if not_modified(request, etag) and path.is_file():
        return Response(status_code=304, headers=_headers(etag, cache_control))
    try:
        content = await run_in_threadpool(path.read_bytes)
    except OSError:
        return not_found()
    return Response(content, media_type=media_type, headers=_headers(etag, cache_control))


def not_found() -> Response:
    """404, the same for every URL."""
    return JSONResponse({"error": "not found"}, status_code=404, headers={"Cache-Control": NO_STORE})

"""Every deployment setting in one place: the ``ONEMAP_*`` environment variables and ``secrets.toml``.

:func:`read_settings` reads them once per call site that asks, types and checks
them, and never raises for a bad value: a malformed setting is ignored (its
default applies) and listed in :attr:`Settings.problems`, which the app shows
to administrators and the CLI prints to stderr — a typo must not take the map
down. The one exception is a weak session secret, which stops the app at start
(:attr:`Settings.secret_problem`).

Environment variables win over ``secrets.toml``. The app passes Streamlit's
``st.secrets``; the CLI reads ``.streamlit/secrets.toml`` itself
(:func:`secrets_file`). :data:`VARIABLES` lists every variable with its type,
default and meaning (the README's configuration table says the same), and a
test checks that the code reads no ``ONEMAP_*`` variable that is not listed.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from geo.errors import Text
from geo.map.basemaps.config import BasemapConfig, read_config
from geo.security import HOW_TO_MAKE, weak_secret_reason

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


@dataclass(frozen=True)
class Variable:
    """One ``ONEMAP_*`` environment variable: its type, default and meaning."""

    name: str
    kind: str
    default: str
    zh: str
    en: str


#: Every environment variable the app reads (tests-only variables are not settings and are not listed).
VARIABLES: tuple[Variable, ...] = (
    Variable("ONEMAP_STORE", "path", "data/store.gpkg", "数据库（GeoPackage 文件）", "the store (a GeoPackage file)"),
    Variable("ONEMAP_CACHE", "path", "data/cache", "派生文件目录（可删除）", "folder of derived files (safe to delete)"),
    Variable("ONEMAP_FILES", "path", "data", "照片与栅格文件目录（PostGIS 库；多实例须共享同一目录）",
             "folder of photos and raster copies (PostGIS stores; shared by every instance)"),
    Variable("ONEMAP_IDLE_MINUTES", "int 1–1440", "30", "会话空闲超时（分钟）", "session idle timeout (minutes)"),
    Variable("ONEMAP_FIELD_DISTANCE_M", "float 0–100000", "200", "现场判定距离（米）",
             "on-site distance for evidence (metres)"),
    Variable("ONEMAP_SESSION_SECRET", "secret ≥ 32 characters", "", "会话密钥（弱密钥时拒绝启动）",
             "session secret (the app refuses to start with a weak one)"),
    Variable("ONEMAP_TILE_CACHE_MB", "int 1–1000000", "512", "栅格瓦片缓存上限（MB）",
             "bound of the rendered raster tile cache (MB)"),
    Variable("ONEMAP_MIN_FREE_MB", "int 0–10000000", "200", "就绪检查要求的最小可用磁盘空间（MB）",
             "free disk space /readyz requires for the store and the photos (MB)"),
    Variable("ONEMAP_TIANDITU_TK", "32 hex characters", "", "天地图密钥", "Tianditu key"),
    Variable("ONEMAP_BASEMAPS", "list: gaode, osm", "", "另行启用的在线底图", "online basemaps also offered"),
    Variable("ONEMAP_BASEMAP", "basemap key", "offline", "新会话的默认底图", "the basemap a new session starts on"),
    Variable("ONEMAP_LOG", "path", "data/logs/errors.log", "错误日志（意外错误的回溯，按编号查找）",
             "the error log (tracebacks of unexpected errors, found by their reference)"),
    Variable("ONEMAP_RAISE_INTERNAL", "flag 1/0", "0", "开发与测试：意外错误不转为编号提示，直接抛出（显示回溯）",
             "development and tests: unexpected errors are raised (traceback shown) instead of a coded message"),
)
VARIABLE_NAMES = frozenset(v.name for v in VARIABLES)
DEFAULT_STORE = PROJECT_ROOT / "data" / "store.gpkg"
DEFAULT_CACHE = PROJECT_ROOT / "data" / "cache"
DEFAULT_LOG = PROJECT_ROOT / "data" / "logs" / "errors.log"
DEFAULT_FILES = PROJECT_ROOT / "data"
DEFAULT_IDLE_MINUTES = 30
DEFAULT_TILE_CACHE_MB = 512
#: No national figure for this; a margin for a day of photos and an import on a small server.
DEFAULT_MIN_FREE_MB = 200
DEFAULT_FIELD_DISTANCE_M = 200.0
MAX_FIELD_DISTANCE_M = 100_000.0


@dataclass(frozen=True)
class Settings:
    """The deployment's settings, typed and checked.

    Attributes
    ----------
    store : str
        The store: a GeoPackage path (``$ONEMAP_STORE``, default ``data/store.gpkg``).
    cache : Path
        Folder of derived files (``$ONEMAP_CACHE``).
    files : Path
        Photos and raster copies of a PostGIS store (``$ONEMAP_FILES``); a GeoPackage
        store keeps them beside its file.
    idle_minutes : int
        Minutes without activity after which a session ends.
    field_distance_m : float
        A change counts as made on site within this many metres of the site.
    tile_cache_mb : int
        Bound of the on-disk cache of rendered raster tiles.
    min_free_mb : int
        ``/readyz`` says not ready below this much free space for the store or the photos.
    session_secret : str or None
        ``$ONEMAP_SESSION_SECRET`` or ``[auth] cookie_secret``, when set.
    sso : bool
        Whether ``[auth]`` (single sign-on) is configured in ``secrets.toml``.
    basemaps : BasemapConfig
        Online basemaps offered (see :mod:`geo.map.basemaps.config`).
    log : Path
        The error log (``$ONEMAP_LOG``), see :mod:`geo.errorlog`.
    raise_internal : bool
        ``$ONEMAP_RAISE_INTERNAL``: unexpected errors are raised, not turned into ``internal.error`` (tests).
    problems : tuple of Text
        Settings that were ignored, and why (for administrators).
    secret_problem : Text or None
        Set when a configured session secret is weak: the app must not start.
    """

    store: str = str(DEFAULT_STORE)
    cache: Path = DEFAULT_CACHE
    files: Path = DEFAULT_FILES
    idle_minutes: int = DEFAULT_IDLE_MINUTES
    field_distance_m: float = DEFAULT_FIELD_DISTANCE_M
    tile_cache_mb: int = DEFAULT_TILE_CACHE_MB
    min_free_mb: int = DEFAULT_MIN_FREE_MB
    session_secret: str | None = None
    sso: bool = False
    basemaps: BasemapConfig = field(default_factory=BasemapConfig)
    log: Path = DEFAULT_LOG
    raise_internal: bool = False
    problems: tuple[Text, ...] = ()
    secret_problem: Text | None = None


def secrets_file(path: Path = SECRETS_FILE) -> Mapping[str, Any]:
    """``.streamlit/secrets.toml`` as a mapping (empty when absent); a broken file is a problem, not a crash."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return {"__problem__": str(exc)}


def _table(secrets: Mapping[str, Any] | None, name: str) -> Mapping[str, Any]:
    if secrets is None:
        return {}
    try:
        value = secrets.get(name)
    except Exception:  # noqa: BLE001 - Streamlit's secrets object raises on a broken file
        return {}
    return value if isinstance(value, Mapping) else {}


def _number(env: Mapping[str, str], name: str, default, lo: float, hi: float, cast, problems: list,
            example: str):
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = cast(raw)
        if not lo <= value <= hi or value != value:
            raise ValueError
    except ValueError:
        problems.append(Text(
            zh=f"{name}={raw!r} 无效：须为 {lo:g} 到 {hi:g} 之间的数（如 {example}），已使用默认值 {default:g}。",
            en=f"{name}={raw!r} is not valid: it must be a number from {lo:g} to {hi:g} (e.g. {example}); "
               f"the default {default:g} applies.",
        ))
        return default
    return value


def read_settings(env: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None) -> Settings:
    """Read, type and check every setting.

    Parameters
    ----------
    env : mapping, optional
        The environment (default ``os.environ``).
    secrets : mapping, optional
        Streamlit's ``st.secrets`` or :func:`secrets_file` (default: the latter).
    """
    env = os.environ if env is None else env
    secrets = secrets_file() if secrets is None else secrets
    problems: list[Text] = []
    try:
        broken = secrets.get("__problem__")
    except Exception:  # noqa: BLE001 - Streamlit's secrets object raises on a broken file
        broken = "secrets.toml"
    if broken:
        problems.append(Text(zh=f"secrets.toml 无法读取（{broken}），其中的设置均未生效。",
                             en=f"secrets.toml cannot be read ({broken}); none of its settings apply."))
    for name in sorted(k for k in env if k.startswith("ONEMAP_") and k not in VARIABLE_NAMES):
        close = [v for v in VARIABLE_NAMES if v.startswith(name[:10])]
        hint = f"（是否想写 {close[0]}？）" if close else ""
        problems.append(Text(
            zh=f"环境变量 {name} 不是本系统的设置，已忽略{hint}。可用：{'、'.join(sorted(VARIABLE_NAMES))}。",
            en=f"The environment variable {name} is not a setting of this app and is ignored"
               f"{f' (did you mean {close[0]}?)' if close else ''}; settings are: {', '.join(sorted(VARIABLE_NAMES))}.",
        ))
    store = (env.get("ONEMAP_STORE") or "").strip() or str(DEFAULT_STORE)
    cache_raw = (env.get("ONEMAP_CACHE") or "").strip()
    files_raw = (env.get("ONEMAP_FILES") or "").strip()
    idle = _number(env, "ONEMAP_IDLE_MINUTES", DEFAULT_IDLE_MINUTES, 1, 24 * 60, int, problems, "30")
    distance = _number(env, "ONEMAP_FIELD_DISTANCE_M", DEFAULT_FIELD_DISTANCE_M, 1e-9, MAX_FIELD_DISTANCE_M,
                       float, problems, "200")
    tile_cache = _number(env, "ONEMAP_TILE_CACHE_MB", DEFAULT_TILE_CACHE_MB, 1, 1_000_000, int, problems, "512")
    min_free = _number(env, "ONEMAP_MIN_FREE_MB", DEFAULT_MIN_FREE_MB, 0, 10_000_000, int, problems, "200")
    auth = _table(secrets, "auth")
    sso = bool(auth)
    candidates = []
    if sso:
        candidates.append(("secrets.toml [auth] cookie_secret", auth.get("cookie_secret")))
    if env.get("ONEMAP_SESSION_SECRET") is not None:
        candidates.append(("ONEMAP_SESSION_SECRET", env["ONEMAP_SESSION_SECRET"]))
    secret_problem = None
    session_secret = None
    for where, value in candidates:
        reason = weak_secret_reason(value)
        if reason:
            secret_problem = Text(
                zh=f"会话密钥 {where} 不安全（{reason}），系统拒绝启动。请用以下命令生成新密钥并填入：`{HOW_TO_MAKE}`",
                en=f"The session secret {where} is unsafe ({reason}); the app will not start. "
                   f"Make a new one with `{HOW_TO_MAKE}` and put it there.",
            )
            break
        session_secret = str(value)
    basemaps = read_config(env, secrets)
    problems += list(basemaps.problems)
    log_raw = (env.get("ONEMAP_LOG") or "").strip()
    raise_raw = (env.get("ONEMAP_RAISE_INTERNAL") or "").strip().lower()
    if raise_raw not in ("", "0", "1", "true", "false", "yes", "no"):
        problems.append(Text(zh=f"ONEMAP_RAISE_INTERNAL={raise_raw!r} 无效：须为 1 或 0，已按 0 处理。",
                             en=f"ONEMAP_RAISE_INTERNAL={raise_raw!r} is not valid: use 1 or 0; 0 applies."))
    return Settings(
        store=store, cache=Path(cache_raw) if cache_raw else DEFAULT_CACHE,
        files=Path(files_raw) if files_raw else DEFAULT_FILES, idle_minutes=int(idle),
        field_distance_m=float(distance), tile_cache_mb=int(tile_cache), min_free_mb=int(min_free),
        session_secret=session_secret, sso=sso, basemaps=basemaps,
        log=Path(log_raw) if log_raw else DEFAULT_LOG, raise_internal=raise_raw in ("1", "true", "yes"),
        problems=tuple(problems), secret_problem=secret_problem,
    )


def current(secrets: Mapping[str, Any] | None = None) -> Settings:
    """The settings now: read again only when an ``ONEMAP_*`` variable or ``secrets.toml`` changed.

    Parameters
    ----------
    secrets : mapping, optional
        Streamlit's ``st.secrets`` in the app; the CLI and pure code leave it out
        and ``.streamlit/secrets.toml`` is read.
    """
    snapshot = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("ONEMAP_")))
    try:
        stamp = SECRETS_FILE.stat().st_mtime_ns
    except OSError:
        stamp = None
    key = (snapshot, stamp, id(secrets) if secrets is not None else None)
    cached = _CACHE.get("settings")
    if cached is None or cached[0] != key:
        cached = (key, read_settings(dict(os.environ), secrets))
        _CACHE["settings"] = cached
    return cached[1]


_CACHE: dict[str, tuple] = {}

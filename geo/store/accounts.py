"""Accounts, server-side sessions and login throttling, kept in the store.

* Passwords: scrypt (``geo.store.passwords``); a wrong user and a wrong
  password get the same message and take the same time.
* Sessions: a random token goes to the browser session; only its SHA-256 is
  stored. Sessions end on logout, on a password change, when the account is
  disabled, and after an idle timeout.
* Lockout: after ``MAX_FAILURES`` failed logins for a name within
  ``FAILURE_WINDOW``, that name is locked for ``LOCK_TIME`` — kept in the
  store, so a restart does not reset it; counted for unknown names too, so
  the lockout reveals nothing. The same per client address
  (``MAX_FAILURES_PER_ADDRESS``): one address trying many names is stopped
  too. A success clears the name's count, never the address's (an
  attacker with one good password cannot reset it).
* The role an :class:`Actor` carries is never trusted: :meth:`_effective`
  reads the account and returns the role, towns and state stored there.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Sequence

from geo.errors import NotFoundError, PermissionDenied, ValidationError, VersionConflict
from geo.store import passwords, policy
from geo.store.base import Actor
from geo.store.db import iso_utc, utc_now
from geo.store.tables import ADDR_THROTTLE_TABLE, META_TABLE, SESSIONS_TABLE, THROTTLE_TABLE, USERS_TABLE

MAX_FAILURES = 5
#: Failed logins from one client address (any names) within FAILURE_WINDOW before it is locked for LOCK_TIME.
#: No national figure found for this; it allows a whole office behind one NAT address a few mistakes each,
#: while stopping one address from trying names at length (OWASP Authentication Cheat Sheet: throttle
#: per account and per source, without fixed numbers).
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)
DEFAULT_IDLE_TIMEOUT = timedelta(minutes=30)
LAST_SEEN_GRANULARITY = timedelta(seconds=60)
GUEST = "访客"

_BAD_LOGIN_EN = "Wrong user name or password."
_BAD_LOGIN_ZH = "用户名或密码错误。"


@dataclass(frozen=True)
class UserInfo:
    name: str
    display_name: str | None
    role: str
    towns: tuple[str, ...]
    disabled: bool
    identity: str | None
    version: int
    created_at: str
    updated_at: str
    has_password: bool


@dataclass(frozen=True)
class LoginResult:
    token: str
    actor: Actor


def _ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user_info(r) -> UserInfo:
    return UserInfo(r["name"], r["display_name"], r["role"], tuple(json.loads(r["towns"] or "[]")), bool(r["disabled"]),
                    r["identity"], r["version"], r["created_at"], r["updated_at"], bool(r["password_hash"]))


def _check_name(name: str) -> str:
    from geo.domain.text import CONTROL

    name = (name or "").strip()
    if not name or len(name) > 64 or any(c in name for c in "\t\n\r") or CONTROL.search(name):
        raise ValidationError("user.bad_name", en=f"User name {name!r} must be 1-64 characters on one line, "
                              "without control characters.",
                              zh=f"用户名“{name}”须为 1–64 个字符，不含换行或控制字符。", value=name)
    return name


def _check_display(display_name: str | None) -> str | None:
    """A display name: NFC, no control characters, at most 64 characters (``text.*`` codes)."""
    from geo.domain.text import check_text

    return check_text(display_name, field_zh="显示名称", field_en="Display name", limit=64)


def _check_role(role: str) -> str:
    if role not in policy.ACCOUNT_ROLES:
        raise ValidationError("user.bad_role", en=f"Role {role!r} is not one of {', '.join(policy.ACCOUNT_ROLES)}.",
                              zh=f"角色“{role}”无效；可选：admin、reviewer、inspector。", value=role)
    return role


def _check_towns(towns: Iterable[str]) -> list[str]:
    from geo import towns as town_list

    return sorted({town_list.resolve_town(t).code for t in towns})


def client_address(client: str) -> str | None:
    """The network address in an audit client label (``web:10.0.0.7`` -> ``10.0.0.7``); None when there is none."""
    if not client or ":" not in client:
        return None
    kind, _, address = client.partition(":")
    return address.strip() or None if kind == "web" else None


class AccountsMixin:
    """Users, sessions and login. Needs ``_read``/``_write``/``_connect``/``_audit`` from the store."""

    # -- who is acting -----------------------------------------------------
    def _effective(self, conn, actor: Actor) -> Actor:
        if not isinstance(actor, Actor) or not str(actor.name).strip():
            raise PermissionDenied("auth.no_actor", en="Every store call must name the acting user; got none.",
                                   zh="每次操作都必须注明操作人；当前未提供。", actor="?", role="", action="?")
        if actor.role == "system":
            return actor
        if actor.role == "guest":
            row = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key='guest_read'").fetchone()
            if row is not None and row[0] == "off":
                raise policy.denied(actor, "read", code="auth.login_required",
                                    en="Please log in: reading without an account is switched off.",
                                    zh="请先登录：系统已关闭免登录查看。")
            return Actor(actor.name, "guest", (), actor.client)
        row = conn.execute(f"SELECT * FROM {USERS_TABLE} WHERE name = ?", (actor.name,)).fetchone()
        if row is None or row["disabled"]:
            raise policy.denied(actor, "any", code="auth.unknown_user",
                                en=f"No active account {actor.name!r}; ask an administrator.",
                                zh=f"账号“{actor.name}”不存在或已停用，请联系管理员。")
        return Actor(row["name"], row["role"], tuple(json.loads(row["towns"] or "[]")), actor.client)

    def effective_actor(self, actor: Actor) -> Actor:
        """The actor as the store sees it (role and towns from the account)."""
        with self._read() as conn:
            return self._effective(conn, actor)

    def users_exist(self) -> bool:
        with self._read() as conn:
            return conn.execute(f"SELECT count(*) FROM {USERS_TABLE} WHERE NOT disabled").fetchone()[0] > 0

    # -- user management --------------------------------------------------
    def add_user(self, actor: Actor, name: str, role: str, *, password: str | None = None,
                 towns: Sequence[str] = (), display_name: str | None = None, identity: str | None = None) -> UserInfo:
        """Create an account. A password (scrypt-hashed) or an SSO identity is needed to log in."""
        name, role, town_codes = _check_name(name), _check_role(role), _check_towns(towns)
        display_name = _check_display(display_name)
        if password is not None:
            passwords.check_strength(password)
        pw_hash = passwords.hash_password(password) if password is not None else None
        now = iso_utc(utc_now())
        with self._write() as conn:
            eff = self._effective(conn, actor)
            policy.check(eff, "manage_users")
            try:
                conn.execute(
                    f"INSERT INTO {USERS_TABLE} (name, display_name, role, towns, password_hash, identity, disabled,"
                    " version, created_at, updated_at, password_changed_at) VALUES (?,?,?,?,?,?,false,0,?,?,?)",
                    (name, display_name, role, json.dumps(town_codes), pw_hash, identity or None, now, now,
                     now if pw_hash else None),
                )
            except self.IntegrityError as exc:
                raise ValidationError("user.exists", en=f"User {name!r} (or identity {identity!r}) already exists.",
                                      zh=f"用户“{name}”（或身份“{identity}”）已存在。", value=name) from exc
            self._audit(conn, eff, "user.add", target=name, details={"role": role, "towns": town_codes})
            return _user_info(conn.execute(f"SELECT * FROM {USERS_TABLE} WHERE name=?", (name,)).fetchone())

    def list_users(self, actor: Actor) -> list[UserInfo]:
        with self._read() as conn:
            policy.check(self._effective(conn, actor), "manage_users")
            return [_user_info(r) for r in conn.execute(f"SELECT * FROM {USERS_TABLE} ORDER BY name")]

    def update_user(self, actor: Actor, name: str, *, role: str | None = None, towns: Sequence[str] | None = None,
                    display_name: str | None = None, identity: str | None = None, disabled: bool | None = None,
                    expected_version: int | None = None) -> UserInfo:
        """Change role, towns, display name, SSO identity or the disabled flag; the last admin stays."""
        if role is not None:
            _check_role(role)
        display_name = _check_display(display_name)
        town_codes = _check_towns(towns) if towns is not None else None
        with self._write() as conn:
            eff = self._effective(conn, actor)
            policy.check(eff, "manage_users")
            row = self._user_row(conn, name)
            if expected_version is not None and row["version"] != expected_version:
                raise VersionConflict("user.version_conflict",
                                      en=f"User {name!r} was changed by someone else meanwhile; reload and retry.",
                                      zh=f"用户“{name}”已被他人修改，请刷新后重试。", current_version=row["version"])
            new_role = role if role is not None else row["role"]
            new_disabled = bool(disabled) if disabled is not None else bool(row["disabled"])
            if row["role"] == "admin" and not row["disabled"] and (new_role != "admin" or new_disabled):
                self._keep_an_admin(conn, name)
            changes = {}
            for col, value in (("role", role), ("display_name", display_name), ("identity", identity),
                               ("disabled", None if disabled is None else bool(disabled)),
                               ("towns", None if town_codes is None else json.dumps(town_codes))):
                if value is not None and value != (bool(row[col]) if col == "disabled" else row[col]):
                    changes[col] = value
            if changes:
                sets = ", ".join(f"{c} = ?" for c in changes)
                conn.execute(f"UPDATE {USERS_TABLE} SET {sets}, version = version + 1, updated_at = ? WHERE name = ?",
                             [*changes.values(), iso_utc(utc_now()), name])
                if changes.get("disabled") is True or "role" in changes or "towns" in changes:
                    self._revoke_sessions(conn, name)
                action = "user.disable" if changes.get("disabled") is True else "user.update"
                self._audit(conn, eff, action, target=name, details=changes)
            return _user_info(self._user_row(conn, name))

    def set_password(self, actor: Actor, name: str, new_password: str, *, current_password: str | None = None) -> None:
        """Set a password (admin, or the user with the current one); ends every session of that user."""
        passwords.check_strength(new_password)
        new_hash = passwords.hash_password(new_password)
        with self._write() as conn:
            eff = self._effective(conn, actor)
            row = self._user_row(conn, name)
            if eff.role not in ("admin", "system"):
                if eff.name != name or not passwords.verify_password(current_password or "", row["password_hash"]):
                    raise policy.denied(eff, "manage_users", en="Give your current password to change it.",
                                        zh="修改密码需要输入当前密码。", target=name)
            now = iso_utc(utc_now())
            conn.execute(f"UPDATE {USERS_TABLE} SET password_hash = ?, password_changed_at = ?, updated_at = ?,"
                         " version = version + 1 WHERE name = ?", (new_hash, now, now, name))
            self._revoke_sessions(conn, name)
            conn.execute(f"DELETE FROM {THROTTLE_TABLE} WHERE name = ?", (name,))
            self._audit(conn, eff, "user.passwd", target=name)

    def _user_row(self, conn, name: str):
        row = conn.execute(f"SELECT * FROM {USERS_TABLE} WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFoundError("user.not_found", en=f"No user {name!r}; see `python cli.py user list`.",
                                zh=f"没有用户“{name}”；可运行 `python cli.py user list` 查看。", value=name)
        return row

    def _keep_an_admin(self, conn, leaving: str) -> None:
        n = conn.execute(f"SELECT count(*) FROM {USERS_TABLE} WHERE role='admin' AND NOT disabled AND name != ?",
                         (leaving,)).fetchone()[0]
        if n == 0:
            raise ValidationError("user.last_admin",
                                  en=f"{leaving!r} is the last active admin; add another admin first.",
                                  zh=f"“{leaving}”是最后一个有效的管理员，请先添加其他管理员。", value=leaving)

    def _revoke_sessions(self, conn, name: str) -> None:
        conn.execute(f"UPDATE {SESSIONS_TABLE} SET revoked_at = ? WHERE user_name = ? AND revoked_at IS NULL",
                     (iso_utc(utc_now()), name))

    # -- login and sessions -----------------------------------------------
    def login(self, name: str, password: str, *, client: str = "") -> LoginResult:
        """Check a password and open a server-side session; the same message for every failure.

        Raises
        ------
        PermissionDenied
            ``auth.bad_credentials`` (wrong user or password, or disabled) or
            ``auth.locked`` (too many failures for this name).
        """
        name = (name or "").strip()
        now = utc_now()
        with self._read() as conn:
            row = conn.execute(f"SELECT * FROM {USERS_TABLE} WHERE name = ?", (name,)).fetchone()
        ok = passwords.verify_password(password or "", row["password_hash"] if row else passwords.DUMMY_HASH)
        ok = ok and row is not None and not row["disabled"]
        # A hash made at an older, lower cost is replaced now that the password is known (computed before the
        # write transaction; written only if nobody changed the password meanwhile).
        rehashed = passwords.hash_password(password) if ok and passwords.needs_rehash(row["password_hash"]) else None
        who = Actor(name or "?", role=row["role"] if row else "", client=client)
        token = secrets.token_urlsafe(32)
        address = client_address(client)
        with self._write() as conn:
            t = conn.execute(f"SELECT * FROM {THROTTLE_TABLE} WHERE name = ?", (name,)).fetchone()
            a = conn.execute(f"SELECT * FROM {ADDR_THROTTLE_TABLE} WHERE address = ?", (address,)).fetchone() \
                if address else None
            locked_until = max((x for x in (_ts(t["locked_until"]) if t else None,
                                             _ts(a["locked_until"]) if a else None) if x), default=None)
            if locked_until and locked_until > now:
                self._audit(conn, who, "auth.locked", target=name, outcome="denied",
                            details={"by": "address" if a and _ts(a["locked_until"]) == locked_until else "name"})
                outcome = "locked"
            elif not ok:
                failures, lock = self._count_failure(conn, THROTTLE_TABLE, "name", name, t, now, MAX_FAILURES)
                if address:
                    self._count_failure(conn, ADDR_THROTTLE_TABLE, "address", address, a, now,
                                        MAX_FAILURES_PER_ADDRESS)
                self._audit(conn, who, "auth.login_failed", target=name, outcome="failed",
                            details={"failures": failures, "locked": bool(lock)})
                outcome = "failed"
            else:
                conn.execute(f"DELETE FROM {THROTTLE_TABLE} WHERE name = ?", (name,))
                if rehashed:
                    conn.execute(f"UPDATE {USERS_TABLE} SET password_hash = ? WHERE name = ? AND password_hash = ?",
                                 (rehashed, name, row["password_hash"]))
                conn.execute(f"INSERT INTO {SESSIONS_TABLE} (token_hash, user_name, created_at, last_seen, client)"
                             " VALUES (?,?,?,?,?)", (token_hash(token), name, iso_utc(now), iso_utc(now), client))
                self._audit(conn, who, "auth.login", target=name, details={"rehashed": True} if rehashed else None)
                outcome = "ok"
        if outcome == "locked":
            raise PermissionDenied("auth.locked",
                                   en=f"Too many failed logins for {name!r} or from this address; wait {int(LOCK_TIME.total_seconds() // 60)} minutes.",
                                   zh=f"登录失败次数过多，请 {int(LOCK_TIME.total_seconds() // 60)} 分钟后再试。")
        if outcome == "failed":
            raise PermissionDenied("auth.bad_credentials", en=_BAD_LOGIN_EN, zh=_BAD_LOGIN_ZH)
        return LoginResult(token, Actor(name, row["role"], tuple(json.loads(row["towns"] or "[]")), client))

    @staticmethod
    def _count_failure(conn, table: str, column: str, key: str, row, now: datetime,
                       limit: int) -> tuple[int, str | None]:
        """Count one failed login against ``key`` in ``table``; lock it at ``limit``. Returns (failures, lock)."""
        first = _ts(row["first_failure"]) if row else None
        failures = (row["failures"] if row and first and now - first < FAILURE_WINDOW else 0) + 1
        first = first if failures > 1 else now
        lock = iso_utc(now + LOCK_TIME) if failures >= limit else None
        conn.execute(f"INSERT INTO {table} ({column}, failures, first_failure, locked_until) VALUES (?,?,?,?)"
                     f" ON CONFLICT ({column}) DO UPDATE SET failures = excluded.failures,"
                     " first_failure = excluded.first_failure, locked_until = excluded.locked_until",
                     (key, failures, iso_utc(first), lock))
        return failures, lock

    def session_actor(self, token: str, *, idle_timeout: timedelta = DEFAULT_IDLE_TIMEOUT,
                      client: str = "") -> Actor:
        """The actor of a live session; PermissionDenied ``auth.session_ended`` otherwise."""
        ended = PermissionDenied("auth.session_ended", en="Your session has ended; please log in again.",
                                 zh="会话已结束，请重新登录。")
        if not token:
            raise ended
        now = utc_now()
        with self._read() as conn:
            row = conn.execute(
                f"SELECT s.*, u.role, u.towns, u.disabled FROM {SESSIONS_TABLE} s JOIN {USERS_TABLE} u"
                " ON u.name = s.user_name WHERE s.token_hash = ?", (token_hash(token),)).fetchone()
        if row is None or row["revoked_at"] or row["disabled"] or now - _ts(row["last_seen"]) > idle_timeout:
            raise ended
        if now - _ts(row["last_seen"]) > LAST_SEEN_GRANULARITY:
            # Only ever moves forward; a revoked session stays revoked (no resurrection by a late touch).
            with self._write() as conn:
                conn.execute(f"UPDATE {SESSIONS_TABLE} SET last_seen = ? WHERE token_hash = ? AND last_seen < ?"
                             " AND revoked_at IS NULL", (iso_utc(now), token_hash(token), iso_utc(now)))
        return Actor(row["user_name"], row["role"], tuple(json.loads(row["towns"] or "[]")),
                     client or row["client"] or "")

    def logout(self, token: str, *, client: str = "") -> None:
        """End a session (idempotent) and record it."""
        with self._write() as conn:
            row = conn.execute(f"SELECT * FROM {SESSIONS_TABLE} WHERE token_hash = ?", (token_hash(token),)).fetchone()
            if row is None or row["revoked_at"]:
                return
            conn.execute(f"UPDATE {SESSIONS_TABLE} SET revoked_at = ? WHERE token_hash = ?",
                         (iso_utc(utc_now()), token_hash(token)))
            self._audit(conn, Actor(row["user_name"], client=client or row["client"] or ""), "auth.logout",
                        target=row["user_name"])

    def actor_for(self, name: str, *, client: str = "") -> Actor:
        """The actor of an existing, active account (for the CLI's ``--as``)."""
        with self._read() as conn:
            return self._effective(conn, Actor(name, role="inspector", client=client))

    def actor_for_identity(self, identity: str, *, client: str = "") -> Actor:
        """Map a single-sign-on identity (email or subject) to its account; unknown identities get nothing."""
        with self._read() as conn:
            row = conn.execute(f"SELECT * FROM {USERS_TABLE} WHERE identity = ? AND NOT disabled",
                               (identity,)).fetchone()
            if row is None:
                raise policy.denied(Actor(identity or "?", client=client), "read", code="auth.unknown_identity",
                                    en=f"The identity {identity!r} has no account here; ask an administrator.",
                                    zh=f"身份“{identity}”在本系统没有账号，请联系管理员开通。")
            return Actor(row["name"], row["role"], tuple(json.loads(row["towns"] or "[]")), client)

    def identity_session(self, identity: str, *, client: str = "") -> LoginResult:
        """Open a server-side session for a single-sign-on identity already verified by the identity provider.

        The app's files and tiles are behind the session cookie; a user signed in through SSO gets one
        too, so the map's frame can fetch them. Unknown or disabled identities get nothing
        (``auth.unknown_identity``, recorded as a denial).
        """
        actor = self.actor_for_identity(identity, client=client)
        token = secrets.token_urlsafe(32)
        now = iso_utc(utc_now())
        with self._write() as conn:
            conn.execute(f"INSERT INTO {SESSIONS_TABLE} (token_hash, user_name, created_at, last_seen, client)"
                         " VALUES (?,?,?,?,?)", (token_hash(token), actor.name, now, now, client))
            self._audit(conn, actor, "auth.login", target=actor.name, details={"sso": True})
        return LoginResult(token, actor)

"""Who may do what: the permission table as data, checked inside the store on every call.

Roles (issue: accounts and roles):

* ``admin``     everything: users, imports, undo, the audit log;
* ``reviewer``  read and export everything, change nothing;
* ``inspector`` read everything; change the status of, and export, the sites
  of the towns assigned to them only;
* ``guest``     read only, and only while the store allows reading without a
  login (``store_meta.guest_read``);
* ``system``    the application itself (sample data, migrations, the CLI run
  by whoever can write the database file).

The role an actor carries is never trusted: the store looks the account up
and uses the role, towns and disabled flag stored there (see
``AccountsMixin._effective``).
"""

from __future__ import annotations

from geo.errors import PermissionDenied
from geo.store.base import Actor

ROLES = ("admin", "reviewer", "inspector", "guest", "system")
ACCOUNT_ROLES = ("admin", "reviewer", "inspector")

#: action -> roles allowed. Town-scoped actions are further limited for inspectors.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset({"guest", "reviewer", "inspector", "admin", "system"}),
    "export": frozenset({"reviewer", "inspector", "admin", "system"}),
    "change_status": frozenset({"inspector", "admin", "system"}),
    "add_sites": frozenset({"admin", "system"}),
    "import": frozenset({"admin", "system"}),
    "undo": frozenset({"admin", "system"}),
    "manage_users": frozenset({"admin", "system"}),
    "read_audit": frozenset({"admin", "system"}),
    "set_meta": frozenset({"admin", "system"}),
    "manage_rasters": frozenset({"admin", "system"}),
    # Monitoring data: field staff record readings of the sites of their towns; corrections and voids of
    # stored rows, and imports, are for administrators.
    "record_observations": frozenset({"inspector", "admin", "system"}),
    "correct_observations": frozenset({"admin", "system"}),
    # Entering a status whose evidence gate refused: an administrator, explicitly, with a reason. Not the system:
    # sample data and scripts must carry their evidence like everyone else.
    "override_gate": frozenset({"admin"}),
    # The offline field client (pack, sync, device token) is for inspectors; what a synced change may do is
    # checked again as a status change of the site's town.
    "field_sync": frozenset({"inspector"}),
}
#: Actions an inspector may only do within their towns.
TOWN_SCOPED = frozenset({"change_status", "export", "record_observations"})

_ACTION_ZH = {
    "read": "查看", "export": "导出", "change_status": "修改状态", "add_sites": "新增点位", "import": "导入",
    "undo": "撤销导入", "manage_users": "管理用户", "read_audit": "查看审计日志", "set_meta": "修改系统设置",
    "manage_rasters": "管理栅格图层", "record_observations": "录入监测数据", "correct_observations": "更正监测数据",
    "override_gate": "越过证据要求变更状态",
    "field_sync": "使用离线巡查",
}


def denied(actor: Actor, action: str, en: str, zh: str, *, code: str = "auth.denied", **context) -> PermissionDenied:
    return PermissionDenied(code, en=en, zh=zh, actor=actor.name, role=actor.role, client=actor.client,
                            action=action, **context)


def allows(actor: Actor, action: str, towns: set[str] | frozenset[str] | None = None) -> bool:
    """Whether :func:`check` lets ``actor`` do ``action`` on ``towns`` (for what a page offers; the store checks)."""
    try:
        check(actor, action, towns)
    except PermissionDenied:
        return False
    return True


def check(actor: Actor, action: str, towns: set[str] | frozenset[str] | None = None) -> None:
    """Raise PermissionDenied unless the (already resolved) ``actor`` may do ``action``.

    Parameters
    ----------
    actor : Actor
        The effective actor: role and towns as stored for the account.
    action : str
        A key of :data:`PERMISSIONS`.
    towns : set of str, optional
        Town codes the action touches (town-scoped actions only); ``None``
        means "all towns".
    """
    if action not in PERMISSIONS:
        raise ValueError(f"unknown action {action!r}")
    what = _ACTION_ZH.get(action, action)
    if actor.role not in PERMISSIONS[action]:
        raise denied(
            actor, action,
            en=f"User {actor.name!r} ({actor.role}) may not {action.replace('_', ' ')}; ask an administrator.",
            zh=f"用户“{actor.name}”（{actor.role}）无权{what}，请联系管理员。",
        )
    if actor.role == "inspector" and action in TOWN_SCOPED:
        allowed = set(actor.towns)
        wanted = None if towns is None else set(towns)
        if wanted is None or not wanted <= allowed:
            outside = "all towns" if wanted is None else ", ".join(sorted(wanted - allowed))
            outside_zh = "" if wanted is None else f"；{_town_names(wanted - allowed, '、')}不在其中"
            raise denied(
                actor, action,
                en=f"User {actor.name!r} may {action.replace('_', ' ')} in their towns only "
                   f"({', '.join(sorted(allowed)) or 'none assigned'}), not {outside}.",
                zh=f"用户“{actor.name}”只能在所辖镇街（{_town_names(allowed, '、') or '未分配'}）内{what}{outside_zh}。",
                towns=sorted(wanted or []),
            )


def _town_names(codes, sep: str) -> str:
    """Town codes as a person reads them: 玉屏街道、海口镇 (a code the town list does not know stays a code)."""
    from geo.towns import town_by_code  # the town list is read once, on the first refusal that names towns
    from geo.errors import NotFoundError

    names = []
    for code in sorted(codes):
        try:
            names.append(town_by_code(code).name_zh)
        except NotFoundError:
            names.append(code)
    return sep.join(names)

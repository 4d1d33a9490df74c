"""The one status form, used by every page that changes a site (一张图 detail panel, 现场巡查 card).

What it guarantees, whatever the page:

* Nothing consequential is pre-filled: the target status, the remediation
  method, a yes/no observation, every number and date start empty (see
  :mod:`ui.inspect_fields`). The inspector chooses; nothing is recorded that
  was not chosen.
* The form asks what the chosen change declares in the layer spec: the fields
  it requires (``*``) and offers, a photo upload for each photo field (an
  outfall's 规范化 items), the change's own photos when it requires one
  (``*``), and, before the save, the message and fix of every guard or rule
  the change would break (the store refuses the same).
* A status guarded by evidence (:class:`layers.spec.Gate`, e.g. a black-odorous
  body's 初见成效) says, once chosen, what it needs and whether the stored
  readings have it (the store judges again in its write transaction). An
  administrator may tick an override, never ticked by default, and must give a
  reason; it is recorded on the change and shown in review.
* A stale form is never saved over a newer state. The form is based on the
  version it was opened on; when the site changed meanwhile (noticed on the
  next run, or refused by the store at save), the top of the form says who
  changed what and when (China Standard Time), everything typed stays, and the
  target must be chosen again (it is cleared, never moved to the next step).
* Drafts live in the browser too (:mod:`ui.drafts`): a reload, a new session
  or a lost connection restores the note, the choices and the pending photos.
  Photos are stored (by content hash) as soon as they are uploaded and travel
  with the draft as hashes until the change is saved.
* Every save carries an idempotency key (a double tap records one change),
  the device fix and its distance to the site (remote when far or without a
  fix), and the photos.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone

import streamlit as st
from shapely.geometry import Point

from geo.clock import format_cst
from geo.crs import geodesic_distance_m
from geo.domain.evidence import default_onsite_m
from geo.errors import OneMapError, VersionConflict
from geo.store import Evidence, policy
from layers import get_spec
from ui.drafts import draft_keeper, pending_draft
from ui.i18n import lang, t
from ui.inspect_fields import draft_value, field_keys, kind_inputs, photo_fields, unmet_rules, widget_value
from ui.scroll import scroll_into_view
from ui.session import md_escape

STATE = "sf_state"        # site id -> the form's state (see _state)
SAVED_SHOWN_S = 90        # the "saved" banner stays this long, while the new form is untouched
SCROLL_WINDOW_S = 8       # a scroll request is repeated this long (the frame may still be loading)
PHOTO_TYPES = ["jpg", "jpeg", "png", "webp"]
THUMB_W = 112             # px: a pending photo's thumbnail (several fit a phone's width)


def may_change(actor, site) -> bool:
    """Whether ``actor`` may change the status of ``site`` (the form is shown only then)."""
    return policy.allows(actor, "change_status", {site.town_code})


def read_only_reason(actor, site) -> str | None:
    """Why ``actor`` cannot change ``site`` (a caption), or None when they can."""
    spec = get_spec(site.kind)
    if actor.role == "guest":
        return t("login_to_change")
    if not may_change(actor, site):
        return t("read_only_not_your_town") if actor.role == "inspector" else t("read_only_role")
    if not spec.allowed_next(site.status):
        return t("final_status")
    return None


def distance_to(site, fix) -> float | None:
    """Metres from the fix (WGS84 ``lon``/``lat``) to the site's geometry, or None without a fix."""
    if not fix:
        return None
    return geodesic_distance_m(Point(fix["lon"], fix["lat"]), site.geometry)


def evidence_for(fix, dist) -> Evidence:
    """Where the device was: a GPS fix within the on-site distance is on site; anything else is remote."""
    limit = default_onsite_m()
    if not fix or fix.get("source") != "gps":
        # A point tapped on the map is not a device fix: the change is recorded as remote.
        return Evidence(distance_m=None, remote=True)
    when = datetime.fromtimestamp(fix["time"] / 1000, tz=timezone.utc) if fix.get("time") else None
    return Evidence(lon=round(fix["lon"], 7), lat=round(fix["lat"], 7), accuracy_m=fix.get("accuracy"),
                    fix_time=when, distance_m=None if dist is None else round(dist, 1),
                    remote=dist is None or dist > limit)


# -- state --------------------------------------------------------------------------------------


def _state(site) -> dict:
    states = st.session_state.setdefault(STATE, {})
    s = states.get(site.site_id)
    if s is None:
        s = states[site.site_id] = {
            "base": site.version,  # the version the form is based on (expected at save)
            "gen": 0,              # a new draft after each save: fresh widget keys
            "tgen": 0,             # the target is chosen again after a change of the site
            "op": uuid.uuid4().hex,
            "photos": [],          # hashes of photos uploaded for this draft, not yet saved
            "fphotos": {},         # photo field -> hash of the photo uploaded for it (not yet saved)
            "rgen": 0, "ugen": 0,
            "notice": None, "saved": None, "clear": None, "scroll": None,
        }
    return s


def form_keys(site_id: str, s: dict) -> dict[str, str]:
    """The widget keys of the form of ``site_id`` in state ``s`` (tests use them too)."""
    k = f"sf_{site_id}_{s['gen']}"
    # The readings entry is saved apart from the status: a status saved (a new ``gen``) does not wipe
    # readings typed and not yet saved, so its keys do not follow the form's generation.
    return {"prefix": k, "target": f"{k}_to{s['tgen']}", "note": f"{k}_note",
            "readings": f"sf_{site_id}_rd{s['rgen']}",
            "upload": f"{k}_up{s['ugen']}", "save": f"{k}_save", "draft": f"hidden_draft_{site_id}",
            "top": f"sf_top_{site_id}", "scroll": f"hidden_scroll_{site_id}"}


def clear_saved_banners() -> None:
    """Forget every "saved" banner (called when the user goes to another page: it must not greet them later)."""
    for s in st.session_state.get(STATE, {}).values():
        s["saved"] = None


def keys_for(site_id: str) -> dict[str, str]:
    """The current widget keys of the form of ``site_id`` (after at least one run)."""
    return form_keys(site_id, st.session_state[STATE][site_id])


def _scroll_to_top(s: dict) -> None:
    s["scroll"] = (uuid.uuid4().hex, time.time())


# -- what changed meanwhile ---------------------------------------------------------------------


def change_lines(spec, entries) -> list[str]:
    """One line per change: when (CST), who, from → to, fields, note (user text escaped)."""
    from ui.site_view import fields_text

    lg = lang()
    lines = []
    for e in entries:
        frm = spec.status(e.from_status).label(lg) if e.from_status else "—"
        to = spec.status(e.to_status).label(lg) if e.to_status else "—"
        line = t("sf_change_line", when=format_cst(e.changed_at), who=md_escape(e.actor), frm=frm, to=to)
        fields = fields_text(spec, e, lg)
        if fields:
            line += f"；{md_escape(fields)}"
        if e.note:
            line += f"；{t('h_note')}：{md_escape(e.note)}"
        lines.append(line)
    return lines


def _rebase(store, actor, site, s: dict, *, refused: bool) -> None:
    """The site changed since the form's base: record what changed, rebase, make the target be chosen again."""
    spec = get_spec(site.kind)
    try:
        entries = [e for e in store.history(actor, site.site_id) if e.version > s["base"]]
    except OneMapError:
        entries = []
    s["notice"] = {"refused": refused, "lines": change_lines(spec, entries),
                   "status": spec.status(site.status).label(lang())}
    s["base"] = site.version
    s["tgen"] += 1
    s["op"] = uuid.uuid4().hex
    s["saved"] = None
    _scroll_to_top(s)


def _restore(store, actor, draft: dict, site, s: dict) -> None:
    """Put a draft the browser kept back into the form (before its widgets exist)."""
    from geo.photos import thumb_path

    spec = get_spec(site.kind)
    values = draft.get("values") or {}
    keys = form_keys(site.site_id, s)
    if isinstance(values.get("note"), str) and values["note"]:
        st.session_state[keys["note"]] = values["note"]
    for name, key in field_keys(site.kind, keys["prefix"]).items():
        value = widget_value(spec, name, values.get(name))
        if value is not None:
            st.session_state[key] = value
    root = store.photos_dir
    def stored(sha) -> bool:
        try:
            return isinstance(sha, str) and thumb_path(root, sha).exists()
        except (OneMapError, ValueError):
            return False

    for sha in values.get("photos") or []:
        if stored(sha) and sha not in s["photos"]:
            s["photos"].append(sha)
    for name in photo_fields(site.kind):
        if stored(values.get(name)):
            s["fphotos"][name] = values[name]
    target = values.get("target")
    allowed = {tr.dst for tr in spec.allowed_next(site.status)}
    if draft.get("version") == site.version and target in allowed:
        st.session_state[form_keys(site.site_id, s)["target"]] = target
    elif target is not None and draft.get("version") is not None and draft.get("version") != site.version:
        # Written on an older state of the site: say what changed since; the target is chosen again.
        s["base"] = min(s["base"], int(draft["version"]))
        _rebase(store, actor, site, s, refused=False)
    s["restored"] = True


# -- the form -----------------------------------------------------------------------------------


def status_form(store, actor, site, *, fix=None, source: str = "web") -> None:
    """Render the status form of ``site`` (or why there is none).

    Parameters
    ----------
    fix : dict, optional
        The device position (``lon``, ``lat``, ``accuracy``, ``time``, ``source`` "gps" | "map").
    source : str
        Recorded with the change ("field" from the inspection page, "web" elsewhere).
    """
    reason = read_only_reason(actor, site)
    if reason:
        st.caption(reason)
        return
    spec, lg, sid = get_spec(site.kind), lang(), site.site_id
    s = _state(site)
    top = st.container(key=form_keys(sid, s)["top"])
    changed_now = site.version != s["base"]
    if changed_now:
        _rebase(store, actor, site, s, refused=False)
    draft = pending_draft(form_keys(sid, s)["draft"])
    if draft:
        _restore(store, actor, draft, site, s)
    keys = form_keys(sid, s)

    st.markdown(f"**{t('change_status')}**")
    target = st.radio(t("new_status"), [tr.dst for tr in spec.allowed_next(site.status)], index=None,
                      horizontal=True, format_func=lambda c: spec.status(c).label(lg), key=keys["target"])
    kind = kind_inputs(site, target, key=keys["prefix"], readings_key=keys["readings"],
                       photo_input=lambda fld, label: _field_photo(store, site, s, keys, fld, label))
    override = _gate(store, actor, site, target, keys)
    note = st.text_area(t("h_note"), key=keys["note"], height=90, placeholder=t("sf_note_hint"))
    transition = spec.transition(site.status, target) if target else None
    _photos(store, s, keys, required=bool(transition and transition.requires_photo))
    dist = distance_to(site, fix)
    if not fix:
        st.warning(t("insp_no_fix"))
    elif fix.get("source") != "gps":
        st.warning(t("sf_map_fix"))
    elif dist is not None and dist > default_onsite_m():
        st.warning(t("insp_far", d=f"{dist:,.0f}", limit=f"{default_onsite_m():.0f}"))
    unmet = unmet_rules(spec, site, target, kind.changes)
    for rule in unmet:
        st.warning(_rule_text(rule), icon="⚠️")
    save = st.button(t("save_change"), type="primary", width="stretch", key=keys["save"])

    untouched = (target is None and not (note or "").strip() and not s["photos"] and not s["fphotos"]
                 and not kind.changes)
    field_values = {name: draft_value(st.session_state.get(key))
                    for name, key in field_keys(site.kind, keys["prefix"]).items()}
    text_fields = {key: name for name, key in field_keys(site.kind, keys["prefix"]).items()
                   if spec.field(name) and spec.field(name).type == "text"}
    draft_keeper(keys["draft"], account=actor.name, site_id=sid, version=s["base"],
                 values={"target": target, **{n: v for n, v in field_values.items() if n not in text_fields.values()},
                         "photos": list(s["photos"]), **s["fphotos"]},
                 watch={keys["note"]: "note", **text_fields}, clear=s["clear"])

    with top:
        if save and changed_now:
            # Tapped "save" on a form whose site changed meanwhile: refused, nothing recorded.
            s["notice"]["refused"] = True
        _notices(s, untouched)
        if save and not changed_now:
            _save(store, actor, site, s, target=target, kind=kind, note=note, fix=fix, dist=dist, source=source,
                  unmet=unmet, override=override)
    scroll = s.get("scroll")
    fresh = scroll is not None and time.time() - scroll[1] < SCROLL_WINDOW_S
    scroll_into_view(keys["top"], scroll[0] if fresh else None, key=keys["scroll"])


def _gate(store, actor, site, target: str | None, keys: dict) -> str | None:
    """What the evidence gate of the chosen status needs and whether the stored evidence has it; for an
    administrator, the explicit override (a checkbox, never ticked by default, and its reason).

    Returns the override reason to send with the change (None: no override; "" when ticked without a
    reason, which the store refuses with its message).
    """
    if not target or not get_spec(site.kind).gates_for(target):
        return None
    from ui.readings_form import gate_notice

    gate_notice(store, actor, site, target)
    if actor.role != "admin":
        return None
    chosen = st.checkbox(t("override_box"), value=False, key=f"{keys['prefix']}_ovr_{target}")
    if not chosen:
        return None
    return st.text_input(t("override_reason"), key=f"{keys['prefix']}_ovr_reason") or ""


def _notices(s: dict, untouched: bool) -> None:
    if s.pop("restored", False):
        st.info(t("sf_restored"), icon="↩️")
    notice = s.get("notice")
    if notice:
        head = t("sf_refused") if notice["refused"] else t("sf_changed")
        body = "\n".join(f"- {line}" for line in notice["lines"]) or f"- {t('sf_now', status=notice['status'])}"
        text = f"**{head}**\n\n{body}\n\n{t('sf_kept_choose_again', status=notice['status'])}"
        (st.error if notice["refused"] else st.warning)(text, icon="⚠️")
    saved = s.get("saved")
    if saved and untouched and time.time() - saved["at"] < SAVED_SHOWN_S:
        st.success(saved["text"], icon="✅")
    elif saved and not untouched:
        s["saved"] = None


def _rule_text(rule) -> str:
    """A guard's or rule's message and its fix, in the UI's language."""
    return f"{rule.zh}{rule.fix_zh}" if lang() == "zh" else f"{rule.en} {rule.fix_en}"


def _save(store, actor, site, s: dict, *, target, kind, note: str, fix, dist, source: str, unmet,
          override: str | None = None) -> None:
    spec, lg = get_spec(site.kind), lang()
    if target is None:
        st.error(t("sf_choose_target"), icon="☝️")
        _scroll_to_top(s)
        return
    missing = list(kind.missing)
    if spec.transition(site.status, target).requires_photo and not s["photos"]:
        missing.append(t("sf_photo_needed"))
    if missing:
        st.error(t("sf_missing", status=spec.status(target).label(lg), fields="、".join(missing)), icon="☝️")
        _scroll_to_top(s)
        return
    if unmet:
        # What the store would refuse: said here, at the top, with its fix; nothing sent.
        st.error("\n\n".join(_rule_text(r) for r in unmet), icon="☝️")
        _scroll_to_top(s)
        return
    full_note = "；".join(x for x in ((note or "").strip(), kind.note) if x)
    try:
        result = store.change_status(actor, site.site_id, target, expected_version=s["base"], op_id=s["op"],
                                     note=full_note, changes=kind.changes, evidence=evidence_for(fix, dist),
                                     source=source, photos=list(s["photos"]), override=override)
    except VersionConflict:
        try:
            current = store.get_site(actor, site.site_id)
        except OneMapError as exc:
            st.error(md_escape(exc.message(lg)))
            return
        _rebase(store, actor, current, s, refused=True)
        st.rerun(scope="app")
    except OneMapError as exc:
        st.error(md_escape(exc.message(lg)))
        _scroll_to_top(s)
        return
    ev = result.entry.evidence
    where = (t("remote" if ev.remote else "onsite", d=f"{ev.distance_m:.0f}") if ev.distance_m is not None
             else t("no_fix"))
    s.update(base=result.site.version, gen=s["gen"] + 1, tgen=0, op=uuid.uuid4().hex, photos=[], fphotos={},
             rgen=0, ugen=0, notice=None, clear=uuid.uuid4().hex,
             saved={"at": time.time(), "text": t("insp_saved", status=spec.status(result.site.status).label(lg),
                                                  where=where, n=len(result.entry.photos))})
    _scroll_to_top(s)
    st.rerun(scope="app")


def _field_photo(store, site, s: dict, keys: dict, fld, label: str) -> str | None:
    """The upload of one photo field (a 规范化 item's photo): stored at once, its hash kept in the draft."""
    name = fld.name
    file = st.file_uploader(label, type=PHOTO_TYPES, key=f"{keys['prefix']}_{name}_up{s['ugen']}",
                            help=t("photo_field_help") if site.attrs.get(name) else None)
    if file is not None:
        try:
            (sha,) = _store_photos(store, [file])
        except OneMapError as exc:
            st.error(md_escape(exc.message(lang())))
        else:
            s["fphotos"][name] = sha
            s["ugen"] += 1
            st.rerun(scope="app")
    sha = s["fphotos"].get(name)
    if sha:
        from geo.photos import thumb_path

        with st.container(width=THUMB_W):
            path = thumb_path(store.photos_dir, sha)
            if path.exists():
                st.image(str(path), width=THUMB_W)
            if st.button(t("sf_photo_remove"), key=f"{keys['prefix']}_{name}_rm", width="stretch"):
                s["fphotos"].pop(name, None)
                st.rerun(scope="app")
    return sha


def _photos(store, s: dict, keys: dict, *, required: bool = False) -> None:
    """Photos: stored as soon as they are uploaded (so a draft can keep them), attached at save."""
    label = t("insp_photos") + (" *" if required else "")
    files = st.file_uploader(label, type=PHOTO_TYPES, accept_multiple_files=True, key=keys["upload"],
                             help=t("sf_photo_required_help") if required else None)
    if files:
        try:
            hashes = _store_photos(store, files)
        except OneMapError as exc:
            st.error(md_escape(exc.message(lang())))
        else:
            s["photos"] += [h for h in hashes if h not in s["photos"]]
            s["ugen"] += 1
            st.rerun(scope="app")
    if s["photos"]:
        from geo.photos import thumb_path

        root = store.photos_dir
        # Thumbnails of one size in a row that wraps (columns would stack to full width on a phone).
        row = st.container(horizontal=True, wrap=True)
        for sha in list(s["photos"]):
            with row.container(width=THUMB_W):
                path = thumb_path(root, sha)
                if path.exists():
                    st.image(str(path), width=THUMB_W)
                if st.button(t("sf_photo_remove"), key=f"{keys['prefix']}_rm_{sha[:16]}", width="stretch"):
                    s["photos"].remove(sha)
                    st.rerun(scope="app")
    st.caption(t("insp_photos_ready", n=len(s["photos"])) + (f"　{t('sf_photo_required_help')}" if required else ""))


def _store_photos(store, files) -> list[str]:
    from geo.photos import store_photo

    root = store.photos_dir
    return [store_photo(f.getvalue(), root).sha256 for f in files]

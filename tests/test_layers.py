"""The registry of site kinds: every spec meets the invariants, and the check can fail."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from geo.errors import NotFoundError
from layers import KIND_KEYS, REGISTRY, get_spec, spec_for_site_id
from layers.conformance import check_registry, check_spec
from layers.spec import Choice, Status, Transition

EXPECTED_KINDS = ("parks", "outfalls", "black_odorous", "clean_fuel_zones", "shore_power_berths", "coal_boilers")


def test_registry_holds_every_kind_read_only():
    assert KIND_KEYS == EXPECTED_KINDS
    assert isinstance(REGISTRY, MappingProxyType)
    with pytest.raises(TypeError):
        REGISTRY["x"] = REGISTRY["parks"]  # type: ignore[index]


@pytest.mark.parametrize("kind", EXPECTED_KINDS)
def test_every_spec_conforms(kind):
    assert check_spec(REGISTRY[kind]) == []


@pytest.mark.parametrize("kind", EXPECTED_KINDS)
def test_specs_are_frozen(kind):
    with pytest.raises(dataclasses.FrozenInstanceError):
        REGISTRY[kind].key = "x"  # type: ignore[misc]


def test_registry_invariants_hold_and_can_fail():
    assert check_registry(REGISTRY.values()) == []
    outfalls = REGISTRY["outfalls"]
    sunk = dataclasses.replace(outfalls, style=dataclasses.replace(outfalls.style, z_order=-1))
    assert any("drawn under" in p for p in check_registry([*REGISTRY.values(), sunk]))
    assert any("duplicate key" in p for p in check_registry([*REGISTRY.values(), sunk]))


def test_codes_and_prefixes_unique_across_kinds():
    prefixes = [s.code_prefix for s in REGISTRY.values()]
    assert len(prefixes) == len(set(prefixes))
    for spec in REGISTRY.values():
        assert spec_for_site_id(f"{spec.code_prefix}-0001") is spec


def _broken(**changes):
    return dataclasses.replace(REGISTRY["outfalls"], **changes)


BROKEN = [
    ("duplicate status", dict(statuses=REGISTRY["outfalls"].statuses + (REGISTRY["outfalls"].statuses[0],)), "duplicate status"),
    ("bad colour", dict(statuses=(dataclasses.replace(REGISTRY["outfalls"].statuses[0], color="red"),)
                        + REGISTRY["outfalls"].statuses[1:]), "colour"),
    ("dead end", dict(transitions=REGISTRY["outfalls"].transitions[:2]), "cannot reach a done or terminal"),
    ("unknown transition", dict(transitions=REGISTRY["outfalls"].transitions + (Transition("closed", "nowhere"),)),
     "unknown status"),
    ("terminal with exit", dict(transitions=REGISTRY["outfalls"].transitions + (Transition("closed", "surveyed"),)),
     "terminal status"),
    ("requires unknown field", dict(transitions=(Transition("surveyed", "monitored", requires=("nope",)),)
                                    + REGISTRY["outfalls"].transitions[1:]), "unknown field"),
    ("no targets", dict(targets=()), "no targets"),
    ("unreachable status", dict(statuses=REGISTRY["outfalls"].statuses + (Status("orphan", "孤立", "orphan", "#123456", 7),)),
     "cannot be reached"),
    ("bad initial", dict(initial_status="nope"), "initial status"),
    ("dependent on nothing", dict(fields=tuple(dataclasses.replace(f, depends_on="nope") if f.name == "outfall_subtype"
                                               else f for f in REGISTRY["outfalls"].fields)), "not another choice field"),
    ("choice under an unknown parent", dict(fields=tuple(
        dataclasses.replace(f, choices=f.choices + (Choice("x", "某", "x", parent="mining"),))
        if f.name == "outfall_subtype" else f for f in REGISTRY["outfalls"].fields)), "unknown parent"),
    ("parent value with no choice under it", dict(fields=tuple(
        dataclasses.replace(f, choices=tuple(c for c in f.choices if c.parent != "agricultural"))
        if f.name == "outfall_subtype" else f for f in REGISTRY["outfalls"].fields)), "no choice fits"),
    ("excluded but not terminal", dict(statuses=tuple(
        dataclasses.replace(s, excluded=True) if s.code == "surveyed" else s for s in REGISTRY["outfalls"].statuses)),
     "must be terminal"),
    ("rule without a fix", dict(rules=(dataclasses.replace(REGISTRY["outfalls"].rules[0], fix_en=""),)),
     "lacks a message or a fix"),
    ("rule about an unknown field", dict(rules=(dataclasses.replace(REGISTRY["outfalls"].rules[0], fields=("nope",)),)),
     "unknown field"),
    ("photo field that is not text", dict(fields=tuple(dataclasses.replace(f, type="bool") if f.name == "sign_board_photo"
                                                       else f for f in REGISTRY["outfalls"].fields)), "photo field"),
]


@pytest.mark.parametrize("label, changes, expected", BROKEN, ids=[b[0] for b in BROKEN])
def test_conformance_check_can_fail(label, changes, expected):
    problems = check_spec(_broken(**changes))
    assert any(expected in p for p in problems), problems


def test_unknown_kind_names_the_valid_ones():
    with pytest.raises(NotFoundError) as err:
        get_spec("rivers")
    assert "outfalls" in err.value.en and err.value.code == "kind.unknown"


@pytest.mark.parametrize(
    "attrs, fuqing, province",
    [
        ({"berth_type": "container", "tonnage_t": 50000}, True, True),
        ({"berth_type": "container", "tonnage_t": 50000, "dangerous_goods": True}, False, False),
        ({"berth_type": "passenger", "tonnage_t": 3000}, True, True),
        ({"berth_type": "passenger", "tonnage_t": 2999}, False, True),
        ({"berth_type": "dry_bulk", "tonnage_t": 50000}, True, True),
        ({"berth_type": "dry_bulk", "tonnage_t": 49999}, False, True),
        ({"berth_type": "dry_bulk", "tonnage_t": 35000, "specialised": True}, False, True),  # a coal berth
        ({"berth_type": "dry_bulk", "tonnage_t": 80000, "specialised": False}, False, False),  # general bulk
        ({"berth_type": "liquid_bulk", "tonnage_t": 100000}, False, True),
        ({"berth_type": "general_cargo", "tonnage_t": 100000}, False, False),
        ({"berth_type": "general_cargo", "tonnage_t": 100000, "specialised": True}, False, True),
        ({"berth_type": "ro_ro", "tonnage_t": None}, True, True),
    ],
)
def test_berth_populations_follow_each_plan(attrs, fuqing, province):
    ours, theirs = REGISTRY["shore_power_berths"].targets
    assert ours.in_population(attrs) is fuqing and theirs.in_population(attrs) is province
    assert (ours.threshold, ours.plan, theirs.threshold, theirs.plan) == (0.70, "fuqing", 0.75, "province")


def test_errors_survive_pickling():
    """Errors cross process boundaries (a pool worker's error must reach the parent, not hang it)."""
    import pickle

    from geo.errors import PermissionDenied

    err = PermissionDenied("auth.denied", en="no", zh="不", actor="甲", towns=["350181002"])
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), back.code, back.en, back.zh, back.context) == (PermissionDenied, "auth.denied", "no", "不",
                                                                        err.context)


# -- monitoring tables and evidence gates -------------------------------------------------------------

def test_every_observation_spec_conforms_and_names_an_existing_kind():
    from layers import OBSERVATIONS, get_observation_spec, observation_specs_for
    from layers.conformance import check_observation_spec

    assert OBSERVATIONS and isinstance(OBSERVATIONS, MappingProxyType)
    for spec in OBSERVATIONS.values():
        assert check_observation_spec(spec, REGISTRY) == []
        assert get_observation_spec(spec.cli_name) is spec and spec in observation_specs_for(spec.site_kind)
    with pytest.raises(NotFoundError):
        get_observation_spec("cod_results")


def _broken_obs(**changes):
    from layers import OBSERVATIONS

    return dataclasses.replace(OBSERVATIONS["black_odorous_readings"], **changes)


def test_the_observation_check_can_fail():
    from layers.conformance import check_observation_spec
    from layers.observation import ObsField

    spec = _broken_obs()
    cases = [
        (dict(site_kind="ferries"), "unknown site kind"),
        (dict(key="outfalls"), "clashes with a site kind"),
        (dict(identity=("point", "nope")), "unknown field"),
        (dict(fields=spec.fields + (ObsField("recorded_at", "录入", "recorded"),)), "common column"),
        (dict(fields=spec.fields + (ObsField("lab_name", "检测单位", "lab", "text", chart=True),)), "charted"),
        (dict(fields=spec.fields + (ObsField("cod", "化学需氧量", "COD", aliases=("氨氮",)),)), "names both"),
    ]
    for changes, words in cases:
        problems = check_observation_spec(_broken_obs(**changes), REGISTRY)
        assert any(words in p for p in problems), (changes, problems)


def test_gates_are_checked_and_a_workflow_without_a_terminal_status_must_reach_done():
    from layers.spec import Gate

    bo = REGISTRY["black_odorous"]
    assert not any(s.terminal for s in bo.statuses) and check_spec(bo) == []
    bad_gate = dataclasses.replace(bo, gates=bo.gates + (Gate("nirvana", "x.y", "z", "z", "doc"),))
    assert any("unknown status" in p for p in check_spec(bad_gate))
    no_clause = dataclasses.replace(bo, gates=(dataclasses.replace(bo.gates[0], clause=""),))
    assert any("does not cite" in p for p in check_spec(no_clause))
    # Without a terminal status, a status that cannot reach a done one is refused.
    stuck = dataclasses.replace(bo, transitions=tuple(t for t in bo.transitions if t.src != "remediating"))
    assert any("cannot reach a done or terminal status" in p for p in check_spec(stuck))


# -- the measures' workflows and targets -----------------------------------------------------------------------
def _target_broken(kind: str, i: int = 0, **changes):
    spec = REGISTRY[kind]
    targets = list(spec.targets)
    targets[i] = dataclasses.replace(targets[i], **changes)
    return dataclasses.replace(spec, targets=tuple(targets))


TARGET_BROKEN = [
    ("unknown reference area", _target_broken("coal_boilers", within="rivers"), "unknown reference area"),
    ("area without areas", _target_broken("clean_fuel_zones", area_of=()), "names its reference areas"),
    ("area on points", _target_broken("coal_boilers", measure="area", area_of=("built_up_area",)),
     "only polygon kinds"),
    ("done field not a choice", _target_broken("parks", 2, done_values=("finished",)), "not choices"),
    ("done field unknown", _target_broken("parks", 2, done_field="nope"), "unknown field"),
    ("nothing counts", _target_broken("parks", 0, done_statuses=()), "counts nothing"),
    ("unknown plan", _target_broken("parks", 1, plan="county"), "unknown plan"),
    ("no population words", _target_broken("parks", 1, population_zh=""), "does not name its population"),
    ("duplicate target", dataclasses.replace(REGISTRY["parks"], targets=REGISTRY["parks"].targets[:1] * 2),
     "duplicate target codes"),
]


@pytest.mark.parametrize("label, spec, expected", TARGET_BROKEN, ids=[b[0] for b in TARGET_BROKEN])
def test_target_checks_can_fail(label, spec, expected):
    assert any(expected in p for p in check_spec(spec)), check_spec(spec)


@pytest.mark.parametrize("kind", ["shore_power_berths", "clean_fuel_zones", "coal_boilers"])
def test_status_colours_are_told_apart(kind):
    """Every two statuses of a kind differ by CIEDE2000 >= 10 (the legend and the map must tell them apart)."""
    from tests.colour import delta_e

    statuses = REGISTRY[kind].statuses
    close = [(a.code, b.code, round(delta_e(a.color, b.color), 1))
             for i, a in enumerate(statuses) for b in statuses[i + 1:] if delta_e(a.color, b.color) < 10]
    assert close == []


def test_ciede2000_matches_the_published_pairs():
    from tests.colour import ciede2000

    # Sharma, Wu and Dalal (2005), table 1: pairs 1, 7, 17 and 25.
    for lab1, lab2, expected in [((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
                                 ((50, 0, 0), (50, -1, 2), 2.3669),
                                 ((50, 2.5, 0), (73, 25, -18), 27.1492),
                                 ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644)]:
        assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def test_a_capable_berth_can_break_or_stop_and_come_back():
    spec = REGISTRY["shore_power_berths"]
    assert {t.dst for t in spec.allowed_next("available")} == {"fault", "out_of_use"}
    assert "available" in {t.dst for t in spec.allowed_next("fault")}
    assert "available" in {t.dst for t in spec.allowed_next("out_of_use")}
    assert not spec.status("fault").done and not spec.status("out_of_use").done


def test_a_zone_can_be_withdrawn_from_any_stage_and_then_counts_for_nothing():
    spec = REGISTRY["clean_fuel_zones"]
    assert all(spec.transition(s, "withdrawn") for s in ("proposed", "designated", "announced", "enforced"))
    assert spec.status("withdrawn").terminal and not spec.status("withdrawn").done
    assert spec.field("coal_boilers_remaining") is None  # boilers are a register of their own


def test_boiler_workflow_and_the_35_th_line():
    from layers.coal_boilers import is_large_boiler

    spec = REGISTRY["coal_boilers"]
    assert spec.geometry == "point" and spec.status("phased_out").terminal
    assert {t.dst for t in spec.allowed_next("ule_retrofitted")} == {"in_progress", "phased_out"}
    assert [is_large_boiler({"tonnage_th": v}) for v in (35, 34.99, "40", None, "", "x")] == \
        [True, False, True, False, False, False]

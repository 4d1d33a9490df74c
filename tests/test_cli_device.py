"""``cli.py device``: an administrator on the server lists field devices and revokes one or all of an account's."""

from __future__ import annotations

import json

import cli
from geo.errors import PermissionDenied
from tests.factories import ADMIN, INSPECTOR, PASSWORD, make_store

import pytest


def test_device_list_and_revoke(tmp_path, capsys):
    store = make_store(tmp_path / "s.gpkg", [])
    login = store.login(INSPECTOR.name, PASSWORD)
    first, t1 = store.enroll_device(login.token, label="平板 1")
    _, t2 = store.enroll_device(login.token, label="手机")
    args = ["--store", str(store.path), "device"]
    assert cli.main(args + ["list", "--as", ADMIN.name]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {d["label"] for d in listed} == {"平板 1", "手机"} and all("token" not in k for d in listed for k in d)
    assert cli.main(args + ["revoke", first.device_id, "--as", ADMIN.name]) == 0
    assert json.loads(capsys.readouterr().out)["revoked_by"]
    with pytest.raises(PermissionDenied):
        store.device_actor(t1)
    assert store.device_actor(t2)[0].name == INSPECTOR.name
    assert cli.main(args + ["revoke", "--user", INSPECTOR.name, "--as", ADMIN.name]) == 0
    capsys.readouterr()
    with pytest.raises(PermissionDenied):
        store.device_actor(t2)
    assert cli.main(args + ["list", "--all", "--as", ADMIN.name]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert cli.main(args + ["revoke", "nope", "--as", ADMIN.name]) == 2
    assert "field.no_such_device" in capsys.readouterr().err


def test_device_commands_name_the_account_acting(tmp_path, capsys):
    store = make_store(tmp_path / "s.gpkg", [])
    login = store.login(INSPECTOR.name, PASSWORD)
    device, _ = store.enroll_device(login.token, label="平板 1")
    args = ["--store", str(store.path), "device"]
    with pytest.raises(SystemExit) as exit_:
        cli.main(args + ["list"])  # no --as: refused by the parser, nothing read
    assert exit_.value.code == 2 and "--as" in capsys.readouterr().err
    assert cli.main(args + ["revoke", device.device_id, "--as", INSPECTOR.name]) == 0  # one's own device
    assert json.loads(capsys.readouterr().out)["revoked_by"] == INSPECTOR.name
    audit = store.audit_log(ADMIN, action="field.device.revoke")
    assert [r.actor for r in audit] == [INSPECTOR.name]

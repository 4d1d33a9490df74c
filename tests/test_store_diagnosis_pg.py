"""A PostgreSQL/PostGIS store that cannot be used is named by cause (geo/store/diagnose.py ``diagnose_pg``).

The GeoPackage causes (full disk, read-only folder, damage, another program's file …) are file causes and are
tested in tests/test_hostile.py; these are the server's: no such database, a login refused, nobody listening,
an empty database, another application's database, a read-only database. Each has its code, names the
database without a password, and never advises ``init --force``.
"""

from __future__ import annotations

import pytest

from geo.errors import StoreError
from geo.store.diagnose import PG_CAUSES, pg_cause


class _Err(Exception):
    def __init__(self, text: str, sqlstate: str | None = None):
        super().__init__(text)
        self.sqlstate = sqlstate


@pytest.mark.parametrize("text, state, code", [
    ('connection failed: FATAL:  database "onemap" does not exist', None, "store.no_database"),
    ('connection failed: FATAL:  role "bureau" does not exist', None, "store.auth_failed"),
    ('connection failed: FATAL:  password authentication failed for user "bureau"', None, "store.auth_failed"),
    ("connection failed: FATAL:  no pg_hba.conf entry for host", None, "store.auth_failed"),
    ('connection is bad: connection to server on socket "/tmp/.s.PGSQL.1" failed: No such file or directory', None,
     "store.unreachable"),
    ('connection failed: could not translate host name "db.lan" to address', None, "store.unreachable"),
    ("cannot execute INSERT in a read-only transaction", "25006", "store.read_only"),
    ("could not extend file: No space left on device", "53100", "store.disk_full"),
    ("sorry, too many clients already", "53300", "store.too_many_connections"),
    ("permission denied for table sites", "42501", "store.no_privilege"),
    ("syntax error at or near", "42601", "store.postgres"),
])
def test_each_driver_message_is_named_by_its_cause(text, state, code):
    assert pg_cause(_Err(text, state)) == code


def test_every_cause_has_both_languages_and_a_fix():
    from geo.store.diagnose import _PG_TEXTS

    assert {c for c, _, _ in PG_CAUSES} | {"store.postgres"} == set(_PG_TEXTS)
    for code, (zh, en, fix_zh, fix_en) in _PG_TEXTS.items():
        assert zh and en and fix_zh and fix_en, code
        assert "--force" not in fix_zh + fix_en, code


def _open(locator):
    from tests.factories import reopen

    store = reopen(locator)
    store.check_schema()
    return store


def _refusal(locator) -> StoreError:
    with pytest.raises(StoreError) as err:
        _open(locator)
    assert "--force" not in err.value.fix_en + err.value.en
    return err.value


def test_no_such_database_and_an_unknown_login_are_named(pg_cluster):
    assert _refusal(pg_cluster.url("nosuchdb")).code == "store.no_database"
    assert _refusal(pg_cluster.url("postgres", user="nobody")).code == "store.auth_failed"


def test_nobody_listening_is_unreachable(pg_cluster):
    url = pg_cluster.url().replace(f"port={pg_cluster.port}", "port=1")
    assert _refusal(url).code == "store.unreachable"


def test_an_empty_database_needs_init_and_another_apps_database_is_not_taken_over(pg_url):
    import psycopg

    assert _refusal(pg_url).code == "store.not_initialised"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE parcels (id int)")
    err = _refusal(pg_url)
    assert err.code == "store.foreign_database" and "parcels" in err.en


def test_a_read_only_database_is_named_so_and_keeps_its_data(pg_cluster, pg_url):
    """A standby or a database set read-only: opening it (which brings the schema up to date) says so."""
    import psycopg

    from tests.factories import ADMIN, make_store

    store = make_store(pg_url)
    before = [(s.site_id, s.version) for s in store.list_sites(ADMIN)]
    store.close()
    name = pg_url.split("/")[3].split("?")[0]
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    assert _refusal(pg_url).code == "store.read_only"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
    assert [(s.site_id, s.version) for s in _open(pg_url).list_sites(ADMIN)] == before


def test_the_cli_names_the_cause_without_a_traceback(pg_cluster, capsys):
    import cli

    code = cli.main(["--store", pg_cluster.url("nosuchdb"), "summary", "--as", "管理员"])
    err = capsys.readouterr().err
    assert code == 2 and "store.no_database" in err and "Traceback" not in err

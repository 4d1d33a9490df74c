"""The tests' own PostgreSQL/PostGIS cluster starts, answers on its private socket and has PostGIS."""

from __future__ import annotations


def test_a_database_with_postgis_on_a_private_socket(pg_url):
    import psycopg

    with psycopg.connect(pg_url) as conn:
        version = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
        listen = conn.execute("SHOW listen_addresses").fetchone()[0]
    assert version.split(".")[0] == "3"
    assert listen == ""  # no TCP at all: the socket folder is private to the test run

"""Where the ledger is: a file or a PostgreSQL URL, from a flag, the environment, the
config file, or an Airflow Connection; and its password kept out of where it must not be.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from conftest import new_schema_url
from helpers import write_config
from test_live import write_applicants

from sync import airflow as af
from sync.cli import cli
from sync.errors import ConfigError, UsageError
from sync.ledger import PostgresURL, open_ledger
from sync.resolve import resolve_options

URL = "postgresql://sync@db.internal:5432/airflow?sslmode=require"
SECRET_URL = "postgresql://sync:Hunter-2-pw@db.internal/airflow"


pytestmark = pytest.mark.usefixtures("options_folder")


def config(tmp_path: Path, text: str) -> Path:
    return write_config(tmp_path, 'applicants = "a.csv"\n' + text)


class TestWhereTheLedgerIs:
    """``ledger`` and ``ledger_url`` are one setting: the highest layer naming either wins."""

    def test_the_default_is_the_sqlite_file_beside_the_results(self) -> None:
        options = resolve_options({"applicants": "a.csv", "out": "r.xlsx"})
        assert options.ledger_location() == Path("r.ledger.sqlite")

    def test_a_url_given_as_ledger_is_a_postgresql_ledger(self) -> None:
        options = resolve_options({"applicants": "a.csv", "ledger": URL})
        assert options.ledger is None
        assert options.ledger_location() == PostgresURL(URL)

    def test_environment_url_beats_the_config_file_and_a_flag_beats_both(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        cfg = config(tmp_path, 'ledger = "nightly.sqlite"\n')
        assert resolve_options(config=cfg).ledger_location() == tmp_path / "nightly.sqlite"
        monkeypatch.setenv("JOBMOJITO_LEDGER_URL", SECRET_URL)
        from_env = resolve_options(config=cfg)
        assert from_env.ledger is None
        assert isinstance(from_env.ledger_location(), PostgresURL)
        assert "Hunter-2-pw" not in repr(from_env) + str(from_env.ledger_location())
        flagged = resolve_options({"ledger": "local.sqlite"}, config=cfg)
        assert (flagged.ledger_url, flagged.ledger_location()) == (None, Path("local.sqlite"))

    def test_ledger_url_in_the_config_file_without_a_password(self, tmp_path: Path) -> None:
        cfg = config(tmp_path, f'ledger_url = "{URL}&ledger_schema=team_a"\n')
        found = resolve_options(config=cfg).ledger_location()
        assert isinstance(found, PostgresURL) and found.schema == "team_a"

    @pytest.mark.parametrize("key", ["ledger", "ledger_url"])
    def test_a_password_in_the_config_file_is_refused(self, tmp_path: Path, key: str) -> None:
        cfg = config(tmp_path, f'{key} = "{SECRET_URL}"\n')
        with pytest.raises(ConfigError, match="carries a password") as info:
            resolve_options(config=cfg)
        assert "Hunter-2-pw" not in str(info.value) and "~/.pgpass" in str(info.value)

    def test_a_url_that_is_not_postgresql_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("JOBMOJITO_LEDGER_URL", "mysql://sync:pw@db/x")
        with pytest.raises(
            UsageError, match=r"environment JOBMOJITO_LEDGER_URL: .*not a PostgreSQL"
        ):
            resolve_options({"applicants": "a.csv"})

    def test_both_in_one_layer_is_refused(self) -> None:
        with pytest.raises(UsageError, match="give the ledger once"):
            resolve_options({"applicants": "a.csv", "ledger": URL, "ledger_url": URL})


class TestCommandLine:
    """A password on the command line is refused before anything happens."""

    @pytest.mark.parametrize("command", [["history"], ["report", "--out", "r.xlsx"]])
    def test_history_and_report_refuse_a_password_in_the_flag(self, command: list[str]) -> None:
        result = CliRunner().invoke(cli, [*command, "--ledger", SECRET_URL])
        assert result.exit_code == 2
        assert "carries a password" in result.output
        assert "Hunter-2-pw" not in result.output

    def test_history_reads_the_url_from_the_environment(
        self, postgres_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        url = new_schema_url(postgres_url)
        with open_ledger(url) as ledger:
            run_id = ledger.start_run(
                inputs=[], mapping="generic", dry_run=False, tool_version="t", results_path="r"
            )
            ledger.finish_run(run_id, exit_code=0, counts={"ai_accept": 0})
        monkeypatch.setenv("JOBMOJITO_LEDGER_URL", url.url)
        result = CliRunner().invoke(cli, ["history"])
        assert result.exit_code == 0, result.output
        header, first = result.output.splitlines()[:2]
        assert header.split()[:3] == ["run", "id", "state"]
        assert first.split()[:4] == [run_id, "finished", "0", "generic"]


class TestAirflowConnection:
    """``ledger_conn_id``: an Airflow Connection of type Postgres becomes the ledger's URL."""

    def conn(self, **fields: Any) -> SimpleNamespace:
        values: dict[str, Any] = {
            "conn_type": "postgres", "host": "db.internal", "port": 5432, "login": "sync",
            "password": "p@ss:w/rd", "schema": "airflow",
            "extra_dejson": {"sslmode": "require", "ledger_schema": "team_a", "cursor": "dict"},
        }  # fmt: skip
        values.update(fields)
        return SimpleNamespace(**values)

    def test_fields_and_libpq_extras_make_the_url(self) -> None:
        url = PostgresURL(af.connection_ledger_url("pg", self.conn()))
        assert url.url == (
            "postgresql://sync:p%40ss%3Aw%2Frd@db.internal:5432/airflow"
            "?sslmode=require&ledger_schema=team_a"
        )
        assert (url.password, url.schema) == ("p@ss:w/rd", "team_a")
        assert (
            str(url)
            == "postgresql://sync:***@db.internal:5432/airflow?sslmode=require&ledger_schema=team_a"
        )

    def test_a_connection_of_another_type_is_refused(self) -> None:
        with pytest.raises(ConfigError, match="needs a Postgres Connection"):
            af.connection_ledger_url("api", self.conn(conn_type="http"))

    def test_a_password_in_the_dag_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(UsageError, match="ledger_conn_id") as info:
            af.task_options(applicants="a.csv", out_dir=tmp_path, ledger=SECRET_URL)
        assert "Hunter-2-pw" not in str(info.value)
        flags = af.task_options(applicants="a.csv", out_dir=tmp_path, ledger=URL)
        assert flags["ledger"] == URL  # a URL stays text (a Path would lose a slash)

    def test_the_task_runs_on_the_connections_database(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, postgres_url: str
    ) -> None:
        """sync_task with ledger_conn_id enrols through the sandbox and records the run in
        that PostgreSQL ledger; a database it cannot reach makes the task retry."""
        from sync.airflow import task
        from sync.sandbox import SandboxConfig, run_sandbox

        server, ledger = urlsplit(postgres_url), new_schema_url(postgres_url)
        connection = self.conn(host=server.hostname, port=server.port, login=server.username,
                               password=server.password, schema=server.path.strip("/"),
                               extra_dejson={"ledger_schema": ledger.schema})  # fmt: skip
        connections = {"ledger_pg": connection, "down": self.conn(host="127.0.0.1", port=1)}

        class Fail(Exception):
            pass

        class Retry(Exception):
            pass

        monkeypatch.setattr(task, "_exceptions", lambda: (Fail, Retry))
        monkeypatch.setattr(task, "_get_connection", connections.__getitem__)
        write_applicants(tmp_path / "a.csv", 3)
        with run_sandbox(SandboxConfig(token="airflow-token", seed=5)) as sandbox:
            monkeypatch.setenv("JOBMOJITO_TOKEN", "airflow-token")
            monkeypatch.setenv("JOBMOJITO_BASE_URL", sandbox.base_url)
            run = {"applicants": tmp_path / "a.csv", "out_dir": tmp_path / "out",
                   "mapping": "generic", "ds": "2026-11-22"}  # fmt: skip
            result = af.sync_task(**run, ledger_conn_id="ledger_pg")
            assert sandbox.stats()["enrolments_created"] == 3
            with pytest.raises(Retry, match="cannot connect to the ledger postgresql://sync:"):
                af.sync_task(**run, ledger_conn_id="down")
        assert result["exit_code"] == 0
        assert result["ledger_path"] == str(ledger)  # the URL, its password masked
        assert server.password and server.password not in repr(result)
        with open_ledger(ledger) as opened:
            [info] = opened.runs()
        assert (info.run_id, info.state) == (result["run_id"], "finished")
        assert not (tmp_path / "out" / af.LEDGER_NAME).exists()  # no SQLite file beside

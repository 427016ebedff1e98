"""Config file < environment < flags; errors name their source; token rules; cron globs."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import write_config

from sync.errors import ConfigError, InputError, UsageError
from sync.resolve import resolve_options

pytestmark = pytest.mark.usefixtures("options_folder")


class TestPrecedence:
    """Flags override the environment, which overrides the config file."""

    def test_file_then_env_then_flag(self, tmp_path, monkeypatch):
        cfg = write_config(
            tmp_path, 'applicants = "a.csv"\nconcurrency = 3\nrate = 4\ntimeout = 9\n'
        )
        monkeypatch.setenv("JOBMOJITO_RATE", "5")
        monkeypatch.setenv("JOBMOJITO_TIMEOUT", "11")
        options = resolve_options({"timeout": 12.0}, config=cfg)
        assert (options.concurrency, options.rate, options.timeout) == (3, 5.0, 12.0)

    def test_config_found_through_environment_variable(self, tmp_path, monkeypatch):
        cfg = tmp_path / "elsewhere.toml"
        cfg.write_text('applicants = "a.csv"\nconcurrency = 7\n')
        monkeypatch.setenv("JOBMOJITO_SYNC_CONFIG", str(cfg))
        assert resolve_options().concurrency == 7

    def test_default_config_in_working_directory(self, tmp_path):
        write_config(tmp_path, 'applicants = "a.csv"\nrate = 2.5\n')
        assert resolve_options().rate == 2.5

    def test_relative_paths_are_relative_to_the_config_file(self, tmp_path):
        sub = tmp_path / "conf"
        sub.mkdir()
        (sub / "in.csv").write_text("x\n1\n")
        cfg = sub / "c.toml"
        cfg.write_text('applicants = "in.csv"\nout_dir = "out"\n')
        options = resolve_options(config=cfg)
        assert options.applicants == sub / "in.csv"
        assert options.ledger_path() == sub / "out" / "jobmojito-sync.ledger.sqlite"


class TestErrors:
    """Every mistake names the file, variable or flag it came from."""

    def test_unknown_key_suggests(self, tmp_path):
        cfg = write_config(tmp_path, 'applicants = "a.csv"\nconcurency = 3\n')
        with pytest.raises(ConfigError) as exc:
            resolve_options(config=cfg)
        assert str(exc.value) == f"{cfg}: unknown option 'concurency' (did you mean concurrency?)"

    def test_bad_value_in_file(self, tmp_path):
        cfg = write_config(tmp_path, 'applicants = "a.csv"\nconcurrency = 0\n')
        with pytest.raises(UsageError) as exc:
            resolve_options(config=cfg)
        assert str(exc.value).startswith(f"{cfg}: concurrency: Input should be greater than")

    def test_bad_value_in_environment(self, monkeypatch):
        monkeypatch.setenv("JOBMOJITO_RATE", "fast")
        with pytest.raises(UsageError) as exc:
            resolve_options({"applicants": Path("a.csv")})
        assert str(exc.value).startswith("environment JOBMOJITO_RATE: Input should be a valid")

    def test_bad_flag(self):
        with pytest.raises(UsageError) as exc:
            resolve_options({"applicants": Path("a.csv"), "timeout": -1})
        assert str(exc.value).startswith("--timeout: Input should be greater than 0")

    def test_missing_applicants(self):
        with pytest.raises(UsageError) as exc:
            resolve_options({})
        assert "--applicants: required" in str(exc.value)

    def test_invalid_toml(self, tmp_path):
        cfg = write_config(tmp_path, "rate = = 3\n")
        with pytest.raises(ConfigError) as exc:
            resolve_options(config=cfg)
        assert str(exc.value).startswith(f"{cfg}: not valid TOML")

    def test_missing_config_file(self, tmp_path):
        with pytest.raises(ConfigError, match="config file not found"):
            resolve_options(config=tmp_path / "nope.toml")


class TestToken:
    """The token comes from the environment or an owner-only file, never the config file."""

    def test_token_in_config_file_is_refused(self, tmp_path):
        cfg = write_config(tmp_path, 'applicants = "a.csv"\ntoken = "abc"\n')
        with pytest.raises(ConfigError, match="'token' is not allowed in the config file"):
            resolve_options(config=cfg)

    def test_token_from_environment(self, monkeypatch):
        monkeypatch.setenv("JOBMOJITO_TOKEN", "tok-123456")
        options = resolve_options({"applicants": Path("a.csv")})
        assert options.token is not None
        assert options.token.get_secret_value() == "tok-123456"
        assert "tok-123456" not in repr(options)

    def test_private_token_file(self, tmp_path):
        token = tmp_path / "token"
        token.write_text("tok-from-file\n")
        token.chmod(0o600)
        options = resolve_options({"applicants": Path("a.csv"), "token_file": token})
        assert options.token is not None
        assert options.token.get_secret_value() == "tok-from-file"

    def test_world_readable_token_file_is_refused(self, tmp_path):
        token = tmp_path / "token"
        token.write_text("tok\n")
        token.chmod(0o644)
        with pytest.raises(ConfigError) as exc:
            resolve_options({"applicants": Path("a.csv"), "token_file": token})
        assert "can be read by others (mode 644)" in str(exc.value)
        assert "tok" not in str(exc.value).replace("token", "")


class TestCronInputs:
    """Globs with --latest take the newest file; --out-dir gives a dated results file."""

    def test_latest_takes_newest(self, tmp_path):
        for i, name in enumerate(["applicants_1.csv", "applicants_3.csv", "applicants_2.csv"]):
            p = tmp_path / name
            p.write_text("x\n")
            os.utime(p, (1_700_000_000 + i * 10, 1_700_000_000 + i * 10))
        options = resolve_options(
            {"applicants": Path(str(tmp_path / "applicants_*.csv")), "latest": True}
        )
        assert options.applicants.name == "applicants_2.csv"  # newest by mtime

    def test_glob_without_latest_is_refused_when_ambiguous(self, tmp_path):
        (tmp_path / "applicants_1.csv").write_text("x\n")
        (tmp_path / "applicants_2.csv").write_text("x\n")
        with pytest.raises(UsageError, match="matches 2 files"):
            resolve_options({"applicants": Path(str(tmp_path / "applicants_*.csv"))})

    def test_glob_matching_nothing(self, tmp_path):
        with pytest.raises(InputError, match="no file matches"):
            resolve_options({"applicants": Path(str(tmp_path / "none_*.csv")), "latest": True})

    def test_out_dir_dated_results(self, tmp_path):
        now = datetime(2026, 11, 22, 3, 0, 5, tzinfo=UTC)
        options = resolve_options(
            {"applicants": Path("a.csv"), "out_dir": tmp_path / "out"}, now=now
        )
        assert options.out == tmp_path / "out" / "results-20261122T030005Z.xlsx"

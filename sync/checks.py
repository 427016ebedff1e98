"""What a run checks before anything is read or sent: its outputs, its token, its API.

``check_sending``: a live run has a token an HTTP header can carry, and a base
URL the token may travel to (``https://``, or ``http://`` to this machine only
unless ``allow_insecure_http``).

A run that has sent every row and then cannot write its results sheet has
done its work blind, so ``check_outputs`` proves at the start that the
results file (and its summary) can be written: the folder is created if
missing and a small probe file is written, flushed to disk and removed. It
also refuses an output that is one of the run's inputs (``--out`` equal to
``--applicants`` would overwrite the export; ``--out`` equal to the ledger
would destroy it at the end), whatever way the two names reach the same file
(``./a.csv`` and ``a.csv``, a symlink, a hard link).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

from sync.errors import ConfigError, SyncError, UsageError
from sync.failures import describe
from sync.jobmojito.tokens import check_token
from sync.jobmojito.urls import check_base_url
from sync.options import SyncOptions
from sync.results.summary import summary_text_path

__all__ = ["check_outputs", "check_sending", "same_file"]

_PROBE_BYTES = 64 * 1024  # what a probe writes: a full disk refuses it


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file (also through symlinks and hard links)."""
    try:
        return a.samefile(b)
    except OSError:  # one is missing: compare where the names lead
        return a.resolve() == b.resolve()


def _inputs(options: SyncOptions) -> Iterable[tuple[str, Path]]:
    named = (
        ("--applicants", options.applicants),
        ("--jobs", options.jobs),
        ("--questions", options.questions),
        ("--resumes", options.resumes),
        ("token_file", options.token_file),
        ("the config file", options.config_file),
    )
    return [(label, Path(path)) for label, path in named if path is not None]


def check_outputs(
    options: SyncOptions,
    *,
    frames: Iterable[str] = (),
    sheets: Sequence[tuple[str, Path]] | None = None,
) -> None:
    """Refuse outputs that are inputs, and prove the results files can be written.

    ``frames`` names the inputs given as DataFrames (their option value is no file);
    ``sheets`` the files the run writes, each with the name a message gives it
    (default: ``--out``, the positions sheet with ``--create-positions`` and the
    outcomes sheet with ``--with-outcomes``).
    """
    if sheets is None:
        sheets = [("--out", options.out)]
        if options.create_positions:
            sheets.append(("the positions sheet", options.positions_path()))
        if options.with_outcomes:
            sheets.append(("the outcomes sheet", options.outcomes_path()))
    outputs: list[tuple[str, Path]] = []
    for label, out in sheets:
        outputs.append((label, out))
        if out.suffix.lower() == ".csv":
            outputs.append((f"the summary beside {label}", summary_text_path(out)))
    ledger = options.ledger_path()
    inputs = [(label, path) for label, path in _inputs(options) if label.lstrip("-") not in frames]
    for label, path in outputs:
        if same_file(path, ledger):
            raise UsageError(
                f"{label} {path} is the ledger: writing the results would destroy the record"
                " of every run; give the results another name"
            )
    for i, (label, path) in enumerate(sheets):
        for other, earlier in sheets[:i]:
            if same_file(path, earlier):
                raise UsageError(
                    f"{label} {path} is {other}: the two sheets would overwrite each other;"
                    " give them different names"
                )
    for label, path in [*outputs, ("the ledger", ledger)]:
        for what, given in inputs:
            if same_file(path, given):
                raise UsageError(
                    f"{label} {path} is the {what} {given}: the run would overwrite its own"
                    " input; write it elsewhere"
                )
    paths = [path for _, path in sheets]
    for label, out in outputs:
        if out in paths and out.is_dir():
            raise UsageError(f"{label} {out} is a folder; give a file name ending in .xlsx or .csv")
    for _, out in sheets:
        _probe(out.parent if str(out.parent) else Path(), what=f"the results file {out}")


def _probe(folder: Path, *, what: str) -> None:
    """Create ``folder`` if needed and write, flush and remove a probe file in it."""
    probe = folder / f".jobmojito-sync-probe-{secrets.token_hex(4)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            block = memoryview(b"\0" * _PROBE_BYTES)
            while block:  # a short write is how a nearly full disk first answers
                block = block[os.write(fd, block) :]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        meaning = describe(exc) or f"{exc.filename or folder}: {exc.strerror or exc}"
        raise SyncError(f"cannot write {what} ({meaning}); nothing was read or sent") from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)


def check_sending(options: SyncOptions) -> None:
    """What a live run needs before anything is read: a token it can send, and a safe URL."""
    if options.token is None and not options.token_command:
        raise ConfigError(
            "no API token: set JOBMOJITO_TOKEN in the environment (or token_file in the"
            " config file, or token_command); nothing was sent"
        )
    if options.token is not None:
        check_token(options.token.get_secret_value())
    check_base_url(options.base_url, allow_insecure_http=options.allow_insecure_http)

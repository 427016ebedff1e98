"""`make bench`: print the figures the README quotes. Nothing here asserts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def _measured(module: str, *args: str) -> dict[str, float]:
    """The JSON object ``python -m module args`` prints last (its own process: its own peak)."""
    out = subprocess.run(
        [sys.executable, "-m", module, *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _pipeline(kind: str, folder: Path) -> dict[str, float]:
    return _measured("bench.pipeline", kind, str(folder))


def main() -> None:
    folder = Path(os.environ.get("BENCH_DIR", Path(tempfile.gettempdir()) / "jobmojito-bench"))
    print(f"jobmojito-sync benchmarks ({os.cpu_count()} cores); inputs cached in {folder}\n")
    from bench.pipeline import make_inputs

    make_inputs(folder)
    print("read + map + validate + plan, 100,000 applicants (target > 20,000 rows/s, < 1 GB):")
    for kind in ("csv", "xlsx"):
        r = _pipeline(kind, folder)
        print(
            f"  {kind:<5} {r['rows_per_s']:>10,.0f} rows/s  {r['seconds']:6.2f} s"
            f"  peak {r['peak_mb']:,.0f} MB"
        )
    r = _pipeline("results", folder)
    print(
        f"  write results.xlsx, 100,000 lines: {r['seconds']:.2f} s"
        f" ({r['rows_per_s']:,.0f} lines/s), process peak {r['peak_mb']:,.0f} MB\n"
    )

    s = _measured("bench.bench_select", str(folder))
    print("selection (select:, --where, --since) over 100,000 rows (target < 10 % of read + map):")
    print(
        f"  4 conditions, {s['selected']:,} rows kept: {s['select_seconds']:.2f} s"
        f" = {s['share']:.1%} of read + map ({s['read_seconds'] + s['map_seconds']:.2f} s)"
    )
    print(
        f"  4 conditions, {s['kept_all']:,} rows kept: {s['select_all_seconds']:.2f} s"
        f" = {s['share_all']:.1%}\n"
    )

    from bench.bench_resumes import bench_resumes

    print("resume matching (target < 10 s each):")
    for key, value in bench_resumes(folder / "resumes").items():
        print(f"  {key:<48} {value:>10,.2f}")
    print()
    try:
        from bench.bench_sandbox import bench_sandbox
    except ImportError as exc:  # pragma: no cover
        print(f"sandbox bench unavailable: {exc}")
    else:
        s = bench_sandbox()
        print("sandbox on loopback, faults off (target >= 1,000 req/s):")
        for key, value in s.items():
            print(f"  {key:<40} {value:>10,.1f}")
        print()
    from bench.bench_positions import main as positions

    positions()
    print()
    try:
        from bench.bench_dispatch import bench_dispatch
    except ImportError as exc:  # pragma: no cover
        print(f"dispatch bench unavailable: {exc}")
    else:
        d = bench_dispatch()
        print("dispatcher against the sandbox:")
        for key, value in d.items():
            print(f"  {key:<40} {value:>10,.3f}")
    from bench.bench_outcomes import RESULTS, bench_outcomes

    print(f"\noutcomes back, {RESULTS:,} enrolments (sandbox in this process):")
    for key, value in bench_outcomes().items():
        print(f"  {key:<40} {value:>10,.2f}")
    try:
        from bench.bench_shards import bench_shards
    except ImportError as exc:  # pragma: no cover
        print(f"shards bench unavailable: {exc}")
    else:
        print("\nrun processes against an unknown limit of 50/s (--rate 200), one beside 4 shards:")
        for key, value in bench_shards().items():
            print(f"  {key:<48} {value:>10,.3f}")


if __name__ == "__main__":
    main()

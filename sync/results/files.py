"""Where a run's results sheet goes, and the previous one it would replace.

A results sheet is a record someone may still need (last week's run, the sheet
a colleague forwarded), so a run never overwrites one silently: unless told to
(``--overwrite``), the existing ``results.xlsx`` is kept as ``results.1.xlsx``
(the first free number: ``results.2.xlsx`` the time after), and the run says
so. A CSV's summary text goes with it (``results.1.summary.txt``).

The previous file is kept by a hard link, so ``results.xlsx`` stays in place
until the new sheet replaces it atomically (``tables.atomic``): at every
moment one complete sheet is there, and a numbered name is never reused.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
from pathlib import Path

from sync.results.summary import summary_text_path


def numbered(path: Path, n: int) -> Path:
    """``results.xlsx`` -> ``results.<n>.xlsx``."""
    return path.with_name(f"{path.stem}.{n}{path.suffix}")


def keep_previous(path: Path) -> Path | None:
    """Keep an existing ``path`` under the first free numbered name; return that name,
    or ``None`` when there was nothing to keep."""
    path = Path(path)
    if not path.is_file():
        return None
    for n in itertools.count(1):
        kept = numbered(path, n)
        side = summary_text_path(path)
        if path.suffix.lower() == ".csv" and summary_text_path(kept).exists():
            continue  # that number is taken by a summary whose sheet was removed
        if not _keep(path, kept):
            continue
        if path.suffix.lower() == ".csv" and side.is_file():
            _keep(side, summary_text_path(kept))
        return kept
    raise AssertionError("unreachable")  # pragma: no cover - itertools.count never ends


def _keep(source: Path, target: Path) -> bool:
    """A copy of ``source`` at ``target``, never replacing a file there; False if taken."""
    try:
        os.link(source, target)
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: copy, unless the name is taken
        try:  # private until copystat gives it the sheet's own mode: it holds personal data
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                shutil.copyfileobj(src, out)
        except BaseException:
            with contextlib.suppress(OSError):
                target.unlink()
            raise
        shutil.copystat(source, target)
    return True


__all__ = ["keep_previous", "numbered"]

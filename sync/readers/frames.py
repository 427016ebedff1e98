"""A pandas DataFrame as an input table: ``run_sync(applicants=frame)``.

Data teams often hold the export already (a warehouse query in an Airflow task).
The frame goes through the same header and row rules as a file: every cell
becomes the text Excel would show (``sync.readers.workbooks``), blank rows are
left out, duplicate or blank headers are refused, and row numbers count the
header as row 1, as in a sheet. pandas is imported only by the caller.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sync.errors import InputError
from sync.readers.grid import headers_and_rows
from sync.readers.workbooks import cell_text
from sync.records import Table


def is_frame(value: object) -> bool:
    """Whether ``value`` is a pandas DataFrame (without importing pandas)."""
    kind = type(value)
    return kind.__name__ == "DataFrame" and kind.__module__.startswith("pandas")


def _plain(value: Any) -> Any:
    """A pandas/NumPy cell as the Python value calamine would give for it."""
    if value is None:
        return None
    try:
        if value != value:  # NaN, NaT, pd.NA
            return None
    except (TypeError, ValueError):  # pd.NA refuses to be a bool
        return None
    for method in ("to_pydatetime", "to_pytimedelta"):
        convert = getattr(value, method, None)
        if convert is not None:
            return convert()
    if hasattr(value, "item") and not isinstance(value, str | dt.date | dt.timedelta):
        return value.item()  # NumPy scalars
    return value


def table_from_frame(frame: Any, *, name: str) -> Table:
    """The DataFrame's rows as a ``Table`` named ``name`` in messages and the sheet."""
    headers = [str(column) for column in frame.columns]
    if not headers:
        raise InputError(f"{name}: the DataFrame has no columns")
    grid = [headers]
    for record in frame.itertuples(index=False, name=None):
        grid.append([cell_text(_plain(value)) for value in record])
    notes: list[str] = []
    names, rows, header_line = headers_and_rows(
        grid, name, headers, notes, None, csv_delimiter=None
    )
    digest = hashlib.sha256()
    for line in grid:
        digest.update("\x1f".join(line).encode("utf-8", "surrogatepass") + b"\x1e")
    return Table(
        path=name,
        format="dataframe",
        headers=names,
        rows=rows,
        sha256=digest.hexdigest(),
        header_line=header_line,
        notes=tuple(notes),
    )


__all__ = ["is_frame", "table_from_frame"]

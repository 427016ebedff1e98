"""The results as a pandas DataFrame (``SyncReport.to_dataframe()``), for scripts and
Airflow tasks that go on working with them: the same columns as the results sheet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sync.records import ResultLine
from sync.results.sheets import RESULT_COLUMNS


def lines_to_frame(lines: Sequence[ResultLine]) -> Any:
    """A ``pandas.DataFrame`` with the results sheet's columns, one row per line."""
    import pandas as pd

    records = [
        {column: _value(getattr(line, column)) for column in RESULT_COLUMNS} for line in lines
    ]
    frame = pd.DataFrame.from_records(records, columns=list(RESULT_COLUMNS))
    for column in ("http_status",):
        frame[column] = frame[column].astype("Int64")  # a missing status stays missing
    return frame


def _value(value: Any) -> Any:
    return str(value) if hasattr(value, "value") else value


__all__ = ["lines_to_frame"]

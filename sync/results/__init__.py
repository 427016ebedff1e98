"""Results: the sheet every run leaves (one line per input row), and the ledger's views.

- ``write_results`` / ``read_results``: the XLSX or CSV results sheet with its
  Summary, written atomically, no cell ever a formula (``sync.results.sheets``);
- ``rebuild_results`` / ``run_history``: any run's sheet rebuilt from the
  ledger, and the list of past runs (``sync.results.history``).
"""

from sync.results.history import rebuild_results, run_history
from sync.results.sheets import (
    RESULT_COLUMNS,
    count_statuses,
    neutralise_csv,
    read_results,
    summary_text_path,
    write_results,
)

__all__ = [
    "RESULT_COLUMNS",
    "count_statuses",
    "neutralise_csv",
    "read_results",
    "rebuild_results",
    "run_history",
    "summary_text_path",
    "write_results",
]

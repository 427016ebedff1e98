"""Results: the sheet every run leaves (one line per input row), and the ledger's views.

Modules, lowest first:

- ``cells``: every cell a number or safe text, never a formula
  (``neutralise_csv`` for CSV text);
- ``statuses``: what every status means and what to do (``STATUS_GUIDE``), and
  a run in one sentence (``headline``);
- ``problems``: the rows that need a person, grouped by cause with the fix
  (``group_problems``);
- ``summary``: the Summary of a run (``count_statuses``, the sections, the
  ``<stem>.summary.txt`` beside a CSV: ``summary_text_path``);
- ``guides``: the workbook's Problems and Statuses sheets;
- ``sheets``: ``write_results`` / ``read_results``, the XLSX or CSV results
  sheet with its Summary, written atomically;
- ``files``: ``keep_previous``, an existing sheet kept as ``results.1.xlsx``;
- ``history``: ``rebuild_results`` / ``run_history``, any run's sheet rebuilt
  from the ledger, and the list of past runs.
"""

from sync.results.cells import neutralise_csv
from sync.results.files import keep_previous
from sync.results.history import rebuild_results, run_history
from sync.results.problems import Cause, group_problems
from sync.results.sheets import RESULT_COLUMNS, read_results, write_results
from sync.results.statuses import STATUS_GUIDE, headline
from sync.results.summary import (
    count_known_problems,
    count_statuses,
    exit_code_for,
    summary_text_path,
)

__all__ = [
    "RESULT_COLUMNS",
    "STATUS_GUIDE",
    "Cause",
    "count_known_problems",
    "count_statuses",
    "exit_code_for",
    "group_problems",
    "headline",
    "keep_previous",
    "neutralise_csv",
    "read_results",
    "rebuild_results",
    "run_history",
    "summary_text_path",
    "write_results",
]

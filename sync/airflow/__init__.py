"""Apache Airflow: a task function and a ready DAG factory.

A DAG file (``dags/jobmojito_nightly.py``) is three lines::

    from sync.airflow import make_dag

    dag = make_dag(
        "jobmojito_nightly",
        applicants="/data/exports/applicants.csv",
        jobs="/data/exports/jobs.csv",
        mapping="greenhouse",
        out_dir="/data/jobmojito",
    )

or, inside a DAG of your own, call ``sync_task(...)`` from a ``@task``.
``make_dag(..., shards=N, ledger_conn_id=...)`` maps the task over N shards of
the export (one run group per DAG run, the ledger in PostgreSQL), then
``merge_results`` writes the group's one results sheet.

One task = one ``run_sync``. The task pushes only the run's small summary to
XCom (counts, run id, paths, exit code; never rows or personal data) and maps
the exit code to the task's state:

====  ==========================================  =========================
exit  meaning                                     task
====  ==========================================  =========================
0     every row reached a final outcome           success
1     some rows invalid, rejected or failed       success up to
                                                  ``fail_on_problems`` (share
                                                  of rows, default 5 %), then
                                                  failed, no retry
2     configuration or input error, nothing sent  failed, no retry
3     aborted mid-run (auth, circuit, signal)     failed, **retried**
====  ==========================================  =========================

Retries are safe because of the ledger: one stable SQLite file in ``out_dir``
(``jobmojito-sync.ledger.sqlite``) shared by every attempt and every DAG run,
or, when the task may run on any of several workers, a PostgreSQL database
named by an Airflow Connection (``ledger_conn_id=``). Candidates it shows
enrolled are skipped; requests left in flight are resent and the API answers
``already-applied``. The results sheet is per run
(``results_<ds>.xlsx``); a retry rewrites it with the whole picture.

``make_dag(..., with_outcomes=True)`` adds a second task that brings the
interview outcomes back (``outcomes_task``: ``out_dir/outcomes_<ds>.xlsx``, from
the same ledger; its XCom holds counts and paths only).

Only this package imports Airflow, and only when a function needs it, so the
pure helpers (``task_verdict``, ``task_options``, ``results_file_name`` in
``sync.airflow.options``) work without it. ``sync.airflow.task`` runs one sync
in a task, ``sync.airflow.dag`` builds the DAG. Airflow 3 is the target
(``airflow.sdk``); Airflow 2.x works too.
"""

from sync.airflow.dag import make_dag
from sync.airflow.options import (
    AIRFLOW_MISSING,
    DEFAULT_FAIL_ON_PROBLEMS,
    LEDGER_NAME,
    OUTCOMES_NAME,
    RESULTS_NAME,
    RETRYABLE_EXIT_CODES,
    check_share,
    check_sync_kwargs,
    connection_ledger_url,
    outcomes_task_options,
    outcomes_verdict,
    results_file_name,
    task_options,
    task_verdict,
)
from sync.airflow.task import TaskProgress, merge_results, outcomes_task, sync_task

__all__ = [
    "AIRFLOW_MISSING",
    "DEFAULT_FAIL_ON_PROBLEMS",
    "LEDGER_NAME",
    "OUTCOMES_NAME",
    "RESULTS_NAME",
    "RETRYABLE_EXIT_CODES",
    "TaskProgress",
    "check_share",
    "check_sync_kwargs",
    "connection_ledger_url",
    "make_dag",
    "merge_results",
    "outcomes_task",
    "outcomes_task_options",
    "outcomes_verdict",
    "results_file_name",
    "sync_task",
    "task_options",
    "task_verdict",
]

"""jobmojito-sync in Apache Airflow: copy this file into your DAGs folder and edit it.

Needs ``pip install 'jobmojito-sync[airflow]'`` on the scheduler, the DAG
processor and the workers. The API token comes from the workers' environment
(``JOBMOJITO_TOKEN``) or, with ``token_conn_id``, from the password of an
Airflow Connection; never write it in this file.

Each run enrols the rows of the newest export, writes
``/data/jobmojito/results_<ds>.xlsx`` and pushes the run's summary (counts by
status, run id, paths, exit code; never rows) to XCom. The ledger
``/data/jobmojito/jobmojito-sync.ledger.sqlite`` is shared by every run and
every retry, so a candidate is never enrolled twice.

Only the candidates the mapping's ``select:`` keeps are sent (the shipped
mappings leave out archived, rejected, hired, withdrawn and disqualified ones);
the others get their line as ``excluded``.

The task fails, without retry, on configuration or input errors (exit 2) and
when more than ``fail_on_problems`` of the rows are newly invalid or rejected,
or failed (exit 1: a bad row an earlier run already reported does not count
again, ``fail_on="new"``); it is retried when a run aborts mid-way (exit 3:
token refused, circuit open, worker stopped).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync.airflow import make_dag

dag = make_dag(
    "jobmojito_sync_nightly",
    # Inputs: plain paths or globs (with latest=True the newest match is taken);
    # strings are Jinja templates too, e.g. "/data/exports/applicants_{{ ds_nodash }}.csv".
    applicants="/data/exports/applicants_*.csv",
    latest=True,
    jobs="/data/exports/jobs.csv",
    mapping="greenhouse",  # "auto", a shipped mapping (jobmojito-sync mappings list) or a YAML path
    # Results (results_<ds>.xlsx) and the ledger live here; keep it on a volume
    # every worker that may run this task can reach.
    out_dir="/data/jobmojito",
    schedule="0 2 * * *",  # 02:00 every night
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    retries=2,
    retry_delay=timedelta(minutes=10),
    fail_on_problems=0.05,  # fail the task when more than 5 % of the rows need attention
    since="last-run",  # only applications since the last night that left nothing to do
    # where=["Current Stage = Application Review"],  # more conditions, all must hold
    # fail_on="any",  # count problems earlier runs reported too (default: new ones only)
    # token_conn_id="jobmojito",  # a Connection whose password is the API token
    # Several workers (Celery or Kubernetes executor): the ledger in PostgreSQL, and
    # the export split into mapped tasks, then one results sheet (README "Running on
    # several workers"):
    # ledger_conn_id="jobmojito_ledger", shards=4,
    # Bring the outcomes back in a second task (outcomes_<ds>.xlsx: who took the
    # interview, how they scored, only what changed since the night before):
    # with_outcomes=True,
    # outcomes_kwargs={"changed_since": "last-run", "details": True},
    # Any other run option (see `jobmojito-sync run --help`):
    rate=10,
    concurrency=8,
    task_kwargs={"execution_timeout": timedelta(hours=2)},
)

"""Positions: one interview per job of the jobs export, created once and reused.

Without this step every enrolment describes its position again and lets the
API create it, thousands of times a night. ``jobmojito-sync positions`` (or
``run --create-positions``) makes one interview per job instead, remembers it
in the ledger by the job's key, and every later enrolment names it by id.

One module a step:

- ``questions``: the questions sheet (one row per question), each problem
  named by sheet, row and column;
- ``plan``: each job's fate (create, create from the questions, skipped,
  changed, update, gone, adopted by its code), pure;
- ``templates``: ``--template NAME|ID`` against the merchant's templates;
- ``endpoint``: what the dispatcher sends a job to, with a look-up by code
  before a create is tried again;
- ``send``: pre-flight, template, adoption, dispatch and the recruiters' links;
- ``run``: the lifecycle (``run_positions``, ``sync_positions``);
- ``book``: what an enrolment run knows of positions (``sync.send`` uses it).

The mapping's ``positions:`` section is read by ``sync.mapping.positions``.
"""

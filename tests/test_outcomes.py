"""Outcomes back, part by part: what a result says, matching, what changed, layouts,
the options, and the reads through the dispatcher (the ledger's memory, on both
stores: tests/test_outcomes_ledger.py)."""

from __future__ import annotations

import asyncio
import csv
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest

from sync.airflow.options import outcomes_task_options, outcomes_verdict
from sync.dispatch import DispatchSettings, NullJournal, RowOutcome, dispatch
from sync.dispatch.endpoints import reading
from sync.errors import UsageError
from sync.jobmojito import ApiClient, TokenSource
from sync.jobmojito.models import InterviewDetails, MerchantResult, MerchantResultList
from sync.jobmojito.retry import Failure, Reply, Verdict, classify_read
from sync.ledger import EnrolledCandidate, SeenOutcome
from sync.options import OutcomesLayout
from sync.outcomes.assessment import assessment_of
from sync.outcomes.layouts import AUTO, GENERIC, LAYOUTS, LEVER, choose_layouts, note_text
from sync.outcomes.lines import (
    NOT_STARTED,
    Outcome,
    OutcomeLine,
    describe_change,
    outcome_of,
    progress_of,
    select_lines,
)
from sync.outcomes.match import AMBIGUOUS, NO_ENROLMENT, OTHER_POSITION, match_results
from sync.outcomes.sheets import import_path
from sync.records import Status
from sync.redact import redact
from sync.resolve import resolve_options


def result(**fields: Any) -> MerchantResult:
    base: dict[str, Any] = {"id": fields.pop("id", "row-1"), "position_name": "Engineer"}
    base.update(fields)
    return MerchantResult.model_validate(base)


def candidate(identity: str = "ann@example.com/ext:E-1", **fields: Any) -> EnrolledCandidate:
    base: dict[str, Any] = {
        "identity": identity,
        "status": "ai_accept",
        "interview_url": "https://x/i/1",
        "run_id": "r1",
        "enrolled_at": "2026-11-01T08:00:00Z",
        "profile_interview_id": "pi-1",
        "position_def_set_id": "pos-1",
        "candidate_name": "Ann",
        "candidate_email": "ann@example.com",
        "position": "Engineer (E-1)",
        "position_name": "Engineer",
        "candidate_external_id": "C-1",
        "position_external_id": "E-1",
        "mapping": "generic",
    }
    base.update(fields)
    return EnrolledCandidate(**base)


class TestWhatAResultSays:
    """A result becomes the sheet's progress, decision, scores and duration."""

    @pytest.mark.parametrize(
        ("fields", "progress"),
        [
            ({}, NOT_STARTED),
            ({"interview_started": False}, NOT_STARTED),
            ({"interview_started": True}, "started"),
            ({"coach_status": "started"}, "started"),
            ({"coach_status": " Completed "}, "completed"),
            ({"coach_status": "finished"}, "completed"),
            ({"coach_status": "abandoned", "interview_started": True}, "abandoned"),
        ],
    )
    def test_progress(self, fields: dict[str, Any], progress: str) -> None:
        assert progress_of(result(**fields)) == progress

    def test_no_result_is_not_started_yet(self) -> None:
        assert outcome_of(None) == Outcome() and outcome_of(None).progress == NOT_STARTED

    def test_scores_rounded_duration_in_minutes(self) -> None:
        o = outcome_of(result(coach_status="completed", score=81.456, score_sentiment=70,
                              duration_ds=7230, decision_status="Selected"))  # fmt: skip
        assert (o.score, o.scores[1], o.duration_minutes, o.decision) == (
            81.46,
            70,
            12.1,
            "selected",
        )

    def test_fingerprint_ignores_timestamps_but_not_the_outcome(self) -> None:
        a = outcome_of(result(coach_status="started", updated_at="2026-11-01T08:00:00Z"))
        b = outcome_of(result(coach_status="started", updated_at="2026-11-02T09:00:00Z"))
        c = outcome_of(result(coach_status="completed", updated_at="2026-11-01T08:00:00Z"))
        assert a.fingerprint() == b.fingerprint() != c.fingerprint()


class TestWhatChanged:
    """The change column says what is new since the line was last written."""

    def seen(self, outcome: Outcome) -> SeenOutcome:
        return SeenOutcome("x", outcome.fingerprint(), outcome.progress, outcome.decision,
                           outcome.score, changed_at="2026-11-01T00:00:00Z")  # fmt: skip

    def test_new_unchanged_changed(self) -> None:
        before = outcome_of(result(coach_status="started"))
        after = outcome_of(result(coach_status="completed", score=82, decision_status="selected"))
        assert describe_change(None, before) == "new"
        assert describe_change(self.seen(before), before) == ""
        assert describe_change(self.seen(before), after) == (
            "started → completed; decision — → selected; score — → 82"
        )
        shortlisted = replace(before, shortlisted=True)
        assert describe_change(self.seen(before), shortlisted) == "updated"

    def test_changed_at_kept_while_unchanged(self) -> None:
        outcome = outcome_of(result(coach_status="started"))
        line = OutcomeLine.of(candidate(last=self.seen(outcome)), result(coach_status="started"))
        assert line.seen(now="2026-11-05T00:00:00Z").changed_at == "2026-11-01T00:00:00Z"
        moved = OutcomeLine.of(candidate(last=self.seen(outcome)), result(coach_status="x"))
        assert moved.seen(now="2026-11-05T00:00:00Z").changed_at == "2026-11-05T00:00:00Z"

    def test_select_lines(self) -> None:
        old = OutcomeLine.of(candidate(identity="a"), result(updated_at="2026-10-01T10:00:00Z"))
        new = OutcomeLine.of(
            candidate(identity="b"), result(updated_at="2026-11-02T10:00:00+01:00")
        )
        odd = OutcomeLine.of(candidate(identity="c"), result(updated_at="yesterday"))
        same = replace(old, change="")
        assert select_lines([old, new], None) == [old, new]
        assert select_lines([same, new], "last-run") == [new]
        assert select_lines([old, new, odd], "2026-11-01") == [new, odd]  # unreadable: kept
        assert select_lines([old, new], "2026-11-02T09:30:00Z") == []


class TestMatching:
    """Each result goes to one enrolment, or apart with why; never onto a wrong line."""

    def test_by_profile_interview_id_and_position(self) -> None:
        ann = candidate()
        matched = match_results([ann], [result(profile_interview_id="pi-1")])
        assert list(matched.results) == [ann.identity] and matched.unmatched == []

    def test_same_candidate_other_position_is_apart(self) -> None:
        matched = match_results([candidate()], [result(profile_interview_id="pi-1",
                                                       position_name="Designer")])  # fmt: skip
        assert matched.results == {} and matched.unmatched[0].why == OTHER_POSITION

    def test_definition_id_vouches_for_a_renamed_position(self) -> None:
        renamed = result(profile_interview_id="pi-1", position_name="Eng II", definition_id="pos-1")
        assert list(match_results([candidate()], [renamed]).results) == [candidate().identity]

    def test_one_candidate_two_positions_told_apart_by_name(self) -> None:
        eng = candidate()
        ops = candidate("ann@example.com/ext:O-1", position="Ops (O-1)", position_name="Ops",
                        position_def_set_id="pos-2")  # fmt: skip
        matched = match_results([eng, ops], [result(id="a", profile_interview_id="pi-1"),
                                             result(id="b", profile_interview_id="pi-1",
                                                    position_name="Ops")])  # fmt: skip
        assert matched.results[eng.identity].id == "a" and matched.results[ops.identity].id == "b"

    def test_by_email_and_position_without_ids(self) -> None:
        old = candidate(profile_interview_id="", position_name="")  # a label only
        hit = result(candidate_email="ANN@example.com ", position_name="engineer")
        assert list(match_results([old], [hit]).results) == [old.identity]

    def test_nobody_here_and_ambiguous(self) -> None:
        twin = candidate("ann@example.com/pos:engineer|x", profile_interview_id="pi-1",
                         position_def_set_id="pos-9", candidate_external_id="C-9")  # fmt: skip
        matched = match_results(
            [candidate(), twin],
            [result(id="a", profile_interview_id="pi-x", candidate_email="bob@example.com"),
             result(id="b", profile_interview_id="pi-1")],
        )  # fmt: skip
        assert [u.why for u in matched.unmatched] == [NO_ENROLMENT, AMBIGUOUS.format(n=2)]
        assert matched.results == {}
        told = result(id="c", profile_interview_id="pi-1", external_id="C-9")
        assert list(match_results([candidate(), twin], [told]).results) == [twin.identity]

    def test_the_most_advanced_and_newest_result_is_shown(self) -> None:
        results = [
            result(id="pre", profile_interview_id="pi-1", coach_status="completed",
                   position_step="pre-screening", updated_at="2026-11-09"),
            result(id="old", profile_interview_id="pi-1", coach_status="completed",
                   updated_at="2026-11-01"),
            result(id="new", profile_interview_id="pi-1", coach_status="completed",
                   updated_at="2026-11-03"),
            result(id="retry", profile_interview_id="pi-1", coach_status="started",
                   updated_at="2026-11-08"),
        ]  # fmt: skip
        matched = match_results([candidate()], results)
        assert matched.results[candidate().identity].id == "new"
        assert matched.superseded == 3 and matched.unmatched == []


class TestAssessment:
    """The AI assessment: summary and hiring reasons; never a link or the transcript."""

    def test_summary_and_reasons(self) -> None:
        details = InterviewDetails.model_validate({
            "ai_analysis_recruiter": "Strong answers.\n\n  Clear  examples.",
            "ai_analysis_other": {"hiring_reasons": {"reasons_to_hire": ["a", "b"],
                                                     "reasons_not_to_hire": []}},
            "ai_analysis_recruiter_why_not_hire": ["old list"],
            "transcript": [{"answer": "SECRET ANSWER"}],
        })  # fmt: skip
        assert assessment_of(details) == ("Strong answers.\nClear examples.", "a; b", "old list")

    def test_signed_urls_are_secret_and_redacted(self) -> None:
        url = "https://s3.example.com/r.webm?X-Amz-Credential=k&X-Amz-Signature=0badc0ffee"
        details = InterviewDetails.model_validate(
            {"recording_url": url, "ai_analysis_recruiter": f"see {url} now",
             "transcript": [{"recording_url": url}]}
        )  # fmt: skip
        dumped = details.model_dump(mode="json", exclude={"ai_analysis_recruiter"})
        assert url not in repr(details.recording_url) + repr(details.transcript) + str(dumped)
        assert details.recording_url is not None and details.recording_url.get_secret_value() == url
        assert assessment_of(details)[0] == "see *** now"
        assert redact(f"a {url}&sig=1 b") == "a *** b"
        assert redact("https://example.com/page?id=3") == "https://example.com/page?id=3"


class TestLayouts:
    """Lever's import file, and which lines go to which layout."""

    def line(self, mapping: str = "lever", **fields: Any) -> OutcomeLine:
        done = result(coach_status="completed", score=81, score_sentiment=70,
                      decision_status="selected", duration_ds=7200,
                      updated_at="2026-11-02T09:30:00+01:00")  # fmt: skip
        return replace(OutcomeLine.of(candidate(mapping=mapping), done), **fields)

    def test_lever_row(self) -> None:
        row = dict(zip(LEVER.columns, LEVER.row(self.line()), strict=True))
        assert (row["Lever Profile ID"], row["Full Name"], row["Email"]) == (
            "C-1", "Ann", "ann@example.com"
        )  # fmt: skip
        assert row["DateNote-0"] == "2026-11-02 08:30:00" and row["IsSecretNote-0"] == "no"
        assert row["Note-0"] == (
            "JobMojito AI interview: interview completed, decision selected, score 81"
            " (sentiment 70), 12 min. Position: Engineer (E-1) (job E-1)."
            " Interview link: https://x/i/1"
        )
        assert row["Stage"] == row["Origin"] == ""  # unknown to us: Lever keeps its own

    def test_note_carries_the_assessment(self) -> None:
        assert note_text(self.line(ai_summary="Good.")).endswith("\nAI assessment: Good.")

    def test_choose(self) -> None:
        lever, generic = self.line(), self.line(mapping="generic")
        assert choose_layouts(AUTO, [lever, generic]) == {LEVER: [lever]}
        assert choose_layouts(GENERIC, [lever]) == {}
        assert choose_layouts("lever", [lever, generic]) == {LEVER: [lever, generic]}
        with pytest.raises(UsageError):
            choose_layouts("levr", [lever])

    def test_a_layout_that_applies_writes_its_file_even_empty(self) -> None:
        """No change tonight: Lever's file is a header only, never yesterday's left behind."""
        assert choose_layouts(AUTO, [], mappings=["lever", "generic"]) == {LEVER: []}
        assert choose_layouts("lever", []) == {LEVER: []}
        assert choose_layouts(AUTO, [], mappings=["generic"]) == {}

    def test_options_name_every_layout(self) -> None:
        assert set(get_args(OutcomesLayout)) == {AUTO, GENERIC, *LAYOUTS}

    def test_import_file_name_is_one_lever_accepts(self) -> None:
        assert import_path(Path("/x/Outcomes 2026.11.xlsx"), LEVER) == Path(
            "/x/outcomes_2026_11_lever_import.csv"
        )


class TestOptions:
    """The outcomes options resolve like every option, with precise messages."""

    def test_outcomes_need_no_export(self, tmp_path: Path) -> None:
        options = resolve_options({"ledger": tmp_path / "l.sqlite"}, require=())
        assert options.outcomes_path() == Path("results.outcomes.xlsx")
        with pytest.raises(UsageError, match="--applicants: required"):
            resolve_options({"ledger": tmp_path / "l.sqlite"})

    @pytest.mark.parametrize("since", ["last-run", "LAST_RUN", "2026-11-01", "2026-11-01T06:00Z"])
    def test_changed_since_accepts(self, since: str) -> None:
        options = resolve_options({"changed_since": since}, require=())
        assert options.changed_since in ("last-run", since)

    @pytest.mark.parametrize(
        ("given", "message"),
        [
            ({"changed_since": "yesterday"}, "--changed-since: .*'yesterday': give last-run"),
            ({"outcomes_layout": "levr"}, "--outcomes-layout: .*'auto', 'generic' or 'lever'"),
            ({"outcomes_out": "o.pdf"}, "--outcomes-out: .*must end in .xlsx or .csv"),
            ({"outcomes_page_size": 1001}, "--outcomes-page-size: .*1000"),
        ],
    )
    def test_mistakes_are_named(self, given: dict[str, Any], message: str) -> None:
        with pytest.raises(UsageError, match=message):
            resolve_options(given, require=())

    def test_config_file_and_environment(self, tmp_path: Path, monkeypatch: Any) -> None:
        config = tmp_path / "c.toml"
        config.write_text('outcomes_out = "out/o.csv"\napplicants = "none-*.csv"\n')
        monkeypatch.setenv("JOBMOJITO_CHANGED_SINCE", "last-run")
        options = resolve_options({}, config=config, require=())
        assert options.outcomes_out == tmp_path / "out" / "o.csv"  # relative to the file
        assert options.changed_since == "last-run"


class TestReadsThroughTheDispatcher:
    """A reading endpoint gets the dispatcher's retries; its answers come back parsed."""

    def test_answers_and_failures(self) -> None:
        calls: dict[str, int] = {}

        def handler(request: httpx.Request) -> httpx.Response:
            offset = request.url.params["offset"]
            calls[offset] = calls.get(offset, 0) + 1
            if offset == "2" and calls[offset] == 1:
                return httpx.Response(503, headers={"Retry-After": "0"})
            if offset == "4":
                return httpx.Response(422, json={"error": "bad offset", "name": "offset"})
            page = {"data": [{"id": offset}], "pagination": {"total": 5, "limit": 1,
                                                             "offset": int(offset),
                                                             "has_more": True}}  # fmt: skip
            return httpx.Response(200, json=page)

        class Page:
            def __init__(self, index: int) -> None:
                self.index = index

        got: dict[int, Any] = {}

        async def main() -> None:
            tokens = TokenSource("tok-reads-1234")
            async with ApiClient("https://api.test/", tokens, timeout=5, concurrency=2,
                                 transport=httpx.MockTransport(handler)) as client:  # fmt: skip

                async def send(c: ApiClient, item: Page) -> Reply[MerchantResultList]:
                    return await c.merchant_results(offset=item.index * 2, limit=1)

                async def no_sleep(seconds: float) -> None:
                    return None

                await dispatch([Page(0), Page(1), Page(2)], client=client,
                               settings=DispatchSettings(rate=1000), journal=NullJournal(),
                               run_id="", on_outcome=lambda item, o: got.__setitem__(item.index, o),
                               sleep=no_sleep, endpoint=reading(send))  # fmt: skip

        asyncio.run(main())
        assert isinstance(got[0], MerchantResultList) and got[0].data[0].id == "0"
        assert isinstance(got[1], MerchantResultList) and calls["2"] == 2  # retried once
        assert isinstance(got[2], RowOutcome) and got[2].status is Status.REJECTED
        assert got[2].reason == "422 offset: bad offset"

    @pytest.mark.parametrize(
        ("reply", "verdict"),
        [
            (Reply(None, failure=Failure.DROPPED), Verdict.RETRY_PATIENT),
            (Reply(None, failure=Failure.READ_TIMEOUT), Verdict.RETRY_PATIENT),
            (Reply(200, failure=Failure.MALFORMED_BODY), Verdict.RETRY_PATIENT),
            (Reply(500), Verdict.RETRY_FEW),
            (Reply(401), Verdict.AUTH),
            (Reply(404), Verdict.REJECTED),
        ],
    )
    def test_classify_read(self, reply: Reply[Any], verdict: Verdict) -> None:
        assert classify_read(reply) is verdict


class FakeResults:
    """A results list behind a mock transport: ``cap`` items a page at most, whatever the
    limit; ``shrink_after`` requests, the first result vanishes (the pages shift)."""

    def __init__(
        self, n: int, *, cap: int = 1000, later: bool = False, shrink_after: int | None = None
    ) -> None:
        self.ids = [f"r{i}" for i in range(n)]
        self.cap = cap
        self.later = later  # cap only the pages after the first
        self.shrink_after = shrink_after
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.shrink_after is not None and self.requests > self.shrink_after and self.ids:
            self.ids.pop(0)
            self.shrink_after = None
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        capped = self.cap if offset or not self.later else limit
        page = self.ids[offset : offset + min(limit, capped)]
        body = {"data": [{"id": i} for i in page],
                "pagination": {"total": len(self.ids), "limit": limit, "offset": offset,
                               "has_more": offset + len(page) < len(self.ids)}}  # fmt: skip
        return httpx.Response(200, json=body)


def read_all(api: FakeResults, page_size: int) -> Any:
    from sync.outcomes.fetch import Reader

    async def main() -> Any:
        transport = httpx.MockTransport(api)
        async with ApiClient("https://api.test/", TokenSource("tok-paging-123"), timeout=5,
                             concurrency=4, transport=transport) as client:  # fmt: skip
            return await Reader(client, DispatchSettings(rate=1000, concurrency=4)).results(
                page_size
            )

    return asyncio.run(main())


class TestPaging:
    """Every result is read once, whatever the API does to its pages."""

    def test_pages_read_concurrently_after_the_first(self) -> None:
        reading = read_all(FakeResults(23), 5)
        assert sorted(r.id for r in reading.results) == sorted(f"r{i}" for i in range(23))
        assert (reading.pages, reading.passes, reading.notes) == (5, 1, [])

    def test_a_first_page_shorter_than_asked_sets_the_step(self) -> None:
        reading = read_all(FakeResults(23, cap=4), 5)  # says limit=5, gives 4
        assert sorted(r.id for r in reading.results) == sorted(f"r{i}" for i in range(23))
        assert (reading.pages, reading.notes) == (6, [])

    def test_later_pages_shorter_than_asked_are_read_one_after_the_other(self) -> None:
        reading = read_all(FakeResults(23, cap=4, later=True), 5)
        assert sorted(r.id for r in reading.results) == sorted(f"r{i}" for i in range(23))
        assert reading.notes == ["the API gave pages shorter than asked: read one after the other"]

    def test_results_vanishing_while_reading_make_it_read_again(self) -> None:
        api = FakeResults(23, shrink_after=2)  # r0 goes once two pages are out: pages shift
        reading = read_all(api, 5)
        assert reading.passes == 2
        assert {f"r{i}" for i in range(1, 23)} <= {r.id for r in reading.results}


class TestAirflowOptions:
    """The outcomes task's options and verdict, without Airflow."""

    def test_options(self, tmp_path: Path) -> None:
        flags = outcomes_task_options(out_dir=tmp_path, run_date="2026-11-22",
                                      changed_since="last-run")  # fmt: skip
        assert flags["outcomes_out"] == tmp_path / "outcomes_2026-11-22.xlsx"
        assert flags["ledger"] == tmp_path / "jobmojito-sync.ledger.sqlite"
        assert flags["changed_since"] == "last-run"
        with pytest.raises(UsageError, match="outcomes_out"):
            outcomes_task_options(out_dir=tmp_path, outcomes_out="x.xlsx")
        with pytest.raises(UsageError, match="token"):
            outcomes_task_options(out_dir=tmp_path, token="t")

    def test_a_postgresql_ledger_stays_a_url(self, tmp_path: Path) -> None:
        """The sync task's PostgreSQL ledger, as text (a path would turn // into /); a
        password in the DAG is refused, as for the sync task."""
        url = "postgresql://sync@db.internal/ledger"
        assert outcomes_task_options(out_dir=tmp_path, ledger=url)["ledger"] == url
        with pytest.raises(UsageError, match="ledger_conn_id"):
            outcomes_task_options(out_dir=tmp_path, ledger="postgresql://u:secret@db/ledger")

    @pytest.mark.parametrize(("code", "fails"), [(0, False), (1, False), (2, True), (3, True)])
    def test_verdict(self, code: int, fails: bool) -> None:
        verdict = outcomes_verdict({"exit_code": code, "outcomes_path": "o.xlsx"})
        assert (verdict is not None) is fails


def test_outcome_report_summary_holds_no_personal_data(tmp_path: Path) -> None:
    """XCom gets counts and paths: no names, e-mails or scores."""
    from sync.outcomes.run import OutcomeReport

    line = OutcomeLine.of(candidate(), result(coach_status="completed", score=91))
    report = OutcomeReport("r", 0, {"written": 1}, tmp_path / "o.xlsx", tmp_path / "l.sqlite",
                           [tmp_path / "o.xlsx"], "auto", None, lines=[line])  # fmt: skip
    text = json.dumps(report.as_dict())
    assert "ann" not in text.lower().replace(str(tmp_path).lower(), "") and "91" not in text
    frame = report.to_dataframe()
    assert list(frame["candidate_email"]) == ["ann@example.com"] and frame["score"][0] == 91


def test_csv_outcomes_are_neutralised(tmp_path: Path) -> None:
    """Cells are never formulas: a name that looks like one is text in the CSV too."""
    from sync.outcomes.sheets import write_outcomes

    line = OutcomeLine.of(candidate(candidate_name='=HYPERLINK("http://x","y")'), None)
    write_outcomes(tmp_path / "o.csv", [line], [], [], details=False, imports={}, run_id="r")
    with (tmp_path / "o.csv").open(encoding="utf-8-sig", newline="") as fh:
        [row] = list(csv.DictReader(fh))
    assert row["candidate_name"] == '\'=HYPERLINK("http://x","y")'

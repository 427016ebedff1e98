"""Resume links (``--fetch-resume-urls``) against a real HTTP server on loopback.

Expired links (403/404), login walls (a web page instead of a document), size
and time caps, one download per link per run, and the link never shown.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from openpyxl import Workbook

from sync.errors import FieldProblem
from sync.readers.urls import UrlFetcher
from sync.records import Status
from tests.test_sources import RESUME, bare, run

LOGIN_PAGE = b"<!doctype html><html><body><form><input type=password></form></body></html>"


class Server:
    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                hits[path] = hits.get(path, 0) + 1
                if path == "/cv.txt":
                    self._send(200, "text/plain", RESUME.encode())
                elif path == "/cv":  # no suffix: the content type names it
                    self._send(200, "text/plain; charset=utf-8", RESUME.encode())
                elif path in ("/expired", "/gone"):
                    self._send(403 if path == "/expired" else 404, "application/xml", b"<Error/>")
                elif path == "/login":
                    self._send(200, "text/html", LOGIN_PAGE)
                elif path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "/login")
                    self.end_headers()
                elif path == "/big":
                    self._send(200, "text/plain", b"x" * 5000)
                elif path == "/slow":
                    time.sleep(1.0)
                    self._send(200, "text/plain", RESUME.encode())
                else:
                    self._send(500, "text/plain", b"oops")

            def _send(self, status: int, kind: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"{self.base}{path}?X-Amz-Signature=s3cr3tsignature&Expires=1"


@pytest.fixture()
def server() -> Iterator[Server]:
    srv = Server()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


class TestDownloads:
    """A link gives its document's text, or a reason the user can act on."""

    def test_a_link_is_downloaded_once_per_run(self, server: Server, tmp_path: Path) -> None:
        rows = [bare(**{"Resume URL": server.url("/cv.txt")}),
                bare(Email="b@example.com", **{"Resume URL": server.url("/cv.txt")})]  # fmt: skip
        planned = run(tmp_path, rows, fetch_resume_urls=True)
        assert [p.payload["candidate_resume"] for p in planned] == [RESUME.strip()] * 2
        assert "resume downloaded from the link in 'Resume URL'" in planned[0].notes
        assert server.hits["/cv.txt"] == 1

    def test_without_the_flag_nothing_is_downloaded(self, server: Server, tmp_path: Path) -> None:
        (p,) = run(tmp_path, [bare(**{"Resume URL": server.url("/cv.txt")})])
        assert p.status is Status.INVALID and server.hits == {}

    @pytest.mark.parametrize(
        ("path", "reason"),
        [
            ("/expired", "the resume link has expired or was revoked (HTTP 403)"),
            ("/gone", "the resume link has expired or was revoked (HTTP 404)"),
            ("/login", "gave a web page, not a document: it is behind a login"),
            ("/redirect", "gave a web page, not a document: it is behind a login"),
            ("/error", "the resume link failed (HTTP 500)"),
        ],
    )
    def test_refusals_say_why_and_never_show_the_link(
        self, server: Server, tmp_path: Path, path: str, reason: str
    ) -> None:
        (p,) = run(tmp_path, [bare(**{"Resume URL": server.url(path)})], fetch_resume_urls=True)
        assert p.status is Status.INVALID
        assert reason in p.reason
        assert "s3cr3t" not in p.reason + p.notes and "127.0.0.1" not in p.reason

    def test_the_content_type_names_a_document_without_a_suffix(self, server: Server) -> None:
        with UrlFetcher(rate=100) as fetcher:
            assert fetcher.text(server.url("/cv")) == RESUME.strip()

    def test_size_and_time_caps(self, server: Server) -> None:
        with UrlFetcher(rate=100, max_bytes=1000, timeout=0.3) as fetcher:
            with pytest.raises(FieldProblem, match="over 20 MB: refused"):
                fetcher.text(server.url("/big"))
            with pytest.raises(FieldProblem, match=r"took longer than 0\.3 s"):
                fetcher.text(server.url("/slow"))

    def test_httpx_logs_hide_the_link(
        self, server: Server, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger="httpx")
        with UrlFetcher(rate=100) as fetcher:
            fetcher.text(server.url("/cv.txt"))
        logged = " ".join(r.getMessage() for r in caplog.records)
        assert "<resume link>" in logged and "s3cr3t" not in logged

    def test_downloads_are_paced_by_their_own_rate(self, server: Server) -> None:
        with UrlFetcher(rate=1000) as fetcher:
            for path in ("/cv.txt", "/cv"):
                fetcher.text(server.url(path))
            # the next slot is one interval after the last start: the pacer is in use
            assert fetcher.downloads == 2 and fetcher.interval == pytest.approx(0.001)


class TestHyperlinks:
    """An XLSX cell whose text is "Resume" and whose hyperlink is the resume link."""

    def test_a_cells_hyperlink_target_is_the_link(self, server: Server, tmp_path: Path) -> None:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "Candidates"
        ws.append(["Name", "Email", "Country", "Job", "Office", "Resume URL", "Resume text"])
        ws.append(["Ana Silva", "ana@example.com", "PT", "Engineer", "Berlin", "Resume", ""])
        ws["F2"].hyperlink = server.url("/cv.txt")
        wb.save(tmp_path / "export.xlsx")
        from sync.options import SyncOptions
        from sync.run import prepare
        from tests.test_sources import MAPPING

        (tmp_path / "acme.yaml").write_text(MAPPING, encoding="utf-8")
        mapping = str(tmp_path / "acme.yaml")
        opts = SyncOptions(applicants=tmp_path / "export.xlsx", mapping=mapping, dry_run=True,
                           out=tmp_path / "r.csv", fetch_resume_urls=True)  # fmt: skip
        (p,) = prepare(opts).planned
        assert p.status is Status.DRY_RUN, p.reason
        assert p.payload["candidate_resume"] == RESUME.strip()

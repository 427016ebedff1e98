"""Regenerate sample_data/<ats>/: one export per ATS, shaped like that ATS's real one.

    .venv/bin/python sample_data/ats_samples.py

Deterministic. Each folder gets the applicants export (and a jobs export where
the ATS has one) with that ATS's header spelling and order, date format, name
split and multi-value cells, a few custom-field columns real accounts add, the
resume files the export names (in ``resumes/``), and two or three deliberately
bad rows. Where each header list comes from, and how sure it is, is written in
the matching ``mappings/<ats>.yaml``. ``expected.json`` (the hand-checked
payloads tests/test_ats_samples.py compares with) is written by hand, not here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    email: str
    city: str
    country: str  # English name
    phone: str
    linkedin: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def slug(self) -> str:
        return f"{self.first}_{self.last}".replace(" ", "_").replace("'", "")


@dataclass(frozen=True)
class Job:
    key: str
    title: str
    city: str
    country: str
    language: str  # locale as the ATS writes it
    department: str
    html: str


PEOPLE = [
    Person(
        "Ana",
        "Silva",
        "ana.silva@example.com",
        "Lisbon",
        "Portugal",
        "+351 912 345 678",
        "https://www.linkedin.com/in/ana-silva",
    ),
    Person(
        "Jürgen",
        "Müller",
        "juergen.mueller@example.de",
        "München",
        "Germany",
        "+49 89 1234567",
        "https://linkedin.com/in/juergenmueller",
    ),
    Person("Chloé", "Dubois", "chloe.dubois@example.fr", "Lyon", "France", "+33 4 72 00 00 00", ""),
    Person(
        "Kwame",
        "Mensah",
        "kwame.mensah@example.com",
        "Accra",
        "Ghana",
        "+233 24 000 0000",
        "https://www.linkedin.com/in/kwamemensah/",
    ),
    Person(
        "Priya", "Natarajan", "priya.n@example.in", "Bengaluru", "India", "+91 80 4000 0000", ""
    ),
    Person(
        "Sean",
        "O'Brien",
        "sean.obrien@example.ie",
        "Dublin",
        "Ireland",
        "+353 1 555 0100",
        "https://www.linkedin.com/in/seanobrien",
    ),
    Person(
        "María José",
        "García López",
        "mj.garcia@example.es",
        "Madrid",
        "Spain",
        "+34 91 000 00 00",
        "",
    ),
    Person("Yuki", "Tanaka", "yuki.tanaka@example.jp", "Osaka", "Japan", "+81 6 0000 0000", ""),
    Person(
        "Lars",
        "Nilsson",
        "lars.nilsson@example.se",
        "Göteborg",
        "Sweden",
        "+46 31 000 00 00",
        "https://www.linkedin.com/in/larsnilsson",
    ),
    Person(
        "Emily", "Carter", "emily.carter@example.com", "Toronto", "Canada", "+1 416 555 0199", ""
    ),
    Person(
        "Tomasz", "Kowalski", "t.kowalski@example.pl", "Kraków", "Poland", "+48 12 000 00 00", ""
    ),
    Person(
        "Fatima",
        "Zahra",
        "fatima.zahra@example.ma",
        "Casablanca",
        "Morocco",
        "+212 522 000 000",
        "",
    ),
]

JOBS = [
    Job(
        "4012",
        "Senior Backend Engineer",
        "Berlin",
        "Germany",
        "de-DE",
        "Engineering",
        "<p>Build and run our <b>Python</b> services.</p><ul><li>APIs &amp; data</li>"
        "<li>On-call one week in six</li></ul>",
    ),
    Job(
        "4013",
        "Customer Success Manager",
        "Lisbon",
        "Portugal",
        "pt-PT",
        "Customer Success",
        "<p>Help customers succeed &amp; grow.</p><p>Portuguese and English.</p>",
    ),
    Job(
        "4014",
        "Junior Data Analyst",
        "Toronto",
        "Canada",
        "en-CA",
        "Data",
        "<h2>About the role</h2><p>SQL, dashboards and curiosity.</p>",
    ),
]


def resume_text(p: Person, job: Job) -> str:
    return (
        f"{p.full}\n{p.city}, {p.country}\n\n"
        f"Experience\n- 2019–2024: work relevant to {job.title}\n- 2016–2019: earlier role\n\n"
        "Skills\n- Communication\n- Problem solving\n"
    )


def assign(i: int) -> Job:
    return JOBS[i % len(JOBS)]


# ---------------------------------------------------------------- writers


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def write_xlsx(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    sheet: str = "Sheet1",
    title_rows: Sequence[str] = (),
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for line in title_rows:
        ws.append([line])
    if title_rows:
        ws.append([])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)


def folder(name: str) -> Path:
    out = HERE / name
    (out / "resumes").mkdir(parents=True, exist_ok=True)
    for old in (out / "resumes").iterdir():
        old.unlink()
    return out


def write_resume(out: Path, name: str, p: Person, job: Job) -> None:
    text = resume_text(p, job)
    if name.endswith(".html"):
        body = "".join(f"<p>{line}</p>" for line in text.splitlines() if line)
        text = f"<html><body><h1>{p.full}</h1>{body}</body></html>"
    (out / "resumes" / name).write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- the ATSes


def greenhouse() -> None:
    """Candidate report (.xlsx re-saved from the e-mailed .xls) + Jobs report."""
    out = folder("greenhouse")
    header = [
        "Candidate ID",
        "Application ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone",
        "Address",
        "Social Media",
        "Job",
        "Job ID",
        "Office",
        "Department",
        "Source",
        "Stage",
        "Applied On",
        "Resume",
        "Custom: Notice period",
    ]
    rows = []
    for i, p in enumerate(PEOPLE[:10]):
        job = assign(i)
        resume = f"{p.email}.txt" if i % 2 else f"{p.email}.html"
        email = "no-at-sign.example.com" if i == 7 else p.email
        address = f"{p.city}, {p.country}" if i != 2 else ""
        rows.append(
            [
                str(31000 + i),
                str(88000 + i),
                p.first,
                p.last,
                email,
                p.phone,
                address,
                p.linkedin,
                job.title,
                job.key,
                f"{job.city}, {job.country}",
                job.department,
                "LinkedIn (Prospecting)",
                "Application Review",
                f"2026-11-{10 + i:02d}",
                "" if i == 8 else resume,
                "1 month",
            ]
        )
        if i != 8:
            write_resume(out, resume, p, job)
    write_xlsx(
        out / "candidates.xlsx",
        header,
        rows,
        sheet="Candidates",
        title_rows=["Candidate Export", "Generated Nov 21, 2026"],
    )
    jheader = ["Job ID", "Job Name", "Requisition ID", "Office", "Department", "Status", "Job Post"]
    jrows = [
        [
            j.key,
            j.title,
            f"REQ-{j.key}",
            f"{j.city}, {j.country}",
            j.department,
            "Open",
            j.html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        ]
        for j in JOBS
    ]
    write_xlsx(out / "jobs.xlsx", jheader, jrows, sheet="Jobs")


def lever() -> None:
    """Legacy Reports › Exports › Candidates (opportunity level) + JobPostingDump.csv."""
    out = folder("lever")
    header = [
        "Profile ID",
        "Contact Name",
        "Emails",
        "Phones",
        "Location",
        "Links",
        "Origin",
        "Sources",
        "Current Stage",
        "Posting ID",
        "Posting Title",
        "Posting Location",
        "Posting Team",
        "Posting Department",
        "Created At (GMT)",
        "Applied At (GMT)",
        "Stage - New applicant",
        "Stage - Phone interview",
        "Resume Filename",
        "Hired",
    ]
    rows = []
    for i, p in enumerate(PEOPLE):
        job = assign(i)
        pid = f"8f2c{i:04d}-1b2a-4c3d-9e8f-0a1b2c3d4e5f"
        emails = f"{p.email},{p.first.lower()}@personal.example" if i % 3 == 0 else p.email
        country = "Atlantis" if i == 5 else p.country
        resume = f"{p.slug}_Resume.txt"
        links = ", ".join(x for x in (f"https://github.com/{p.slug.lower()}", p.linkedin) if x)
        rows.append(
            [
                pid,
                p.full,
                emails,
                p.phone,
                f"{p.city}, {country}",
                links,
                ["Applied", "Sourced", "Referred"][i % 3],
                "LinkedIn",
                "New applicant",
                f"b1f{job.key}-0000-4000-8000-00000000000{i % 3}",
                job.title,
                f"{job.city}, {job.country}",
                job.department,
                job.department,
                f"2026-11-{i + 1:02d} 09:{i:02d}:00",
                f"2026-11-{i + 1:02d} 09:{i:02d}:00",
                f"2026-11-{i + 1:02d} 09:{i:02d}:00",
                "",
                resume,
                "false",
            ]
        )
        write_resume(out, resume, p, job)
    # The same person applying twice to the same posting: a duplicate.
    dup = list(rows[0])
    dup[0] = "8f2c9999-1b2a-4c3d-9e8f-0a1b2c3d4e5f"
    rows.append(dup)
    write_csv(out / "candidates.presence.latest.csv", header, rows)


def workable() -> None:
    """Candidates export from Workable support (XLSX, header below an account title)."""
    out = folder("workable")
    (out / "resumes").rmdir()
    header = [
        "Name",
        "Email",
        "Phone",
        "Headline",
        "Address",
        "Job",
        "Job shortcode",
        "Job location",
        "Stage",
        "Disqualified",
        "Disqualification reason",
        "Source",
        "Tags",
        "Created at",
        "Summary",
        "Resume URL",
        "Profile URL",
    ]
    rows = []
    for i, p in enumerate(PEOPLE[:9]):
        job = assign(i)
        summary = "" if i == 4 else resume_text(p, job)
        rows.append(
            [
                p.full,
                p.email,
                p.phone,
                f"{job.department} professional",
                f"{p.city}, {p.country}",
                job.title,
                f"A{job.key}B7C",
                f"{job.city}, {job.country}",
                "Applied",
                "false",
                "",
                "Careers page",
                "remote-ok, priority",
                f"2026-11-{i + 3:02d}T10:15:00Z",
                summary,
                f"https://files.workable.com/resumes/{i}.pdf",
                f"https://acme.workable.com/candidates/{i}",
            ]
        )
    write_xlsx(
        out / "candidates.xlsx",
        header,
        rows,
        sheet="Candidates",
        title_rows=["Acme Ltd — candidates export"],
    )


def bamboohr() -> None:
    """Custom report over Hiring › Candidates (CSV), resumes downloaded as files."""
    out = folder("bamboohr")
    header = [
        "Applicant ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone",
        "Job Opening",
        "Job Opening ID",
        "Location",
        "Status",
        "Rating",
        "Source",
        "Date Applied",
        "Desired Salary",
        "LinkedIn URL",
        "City",
        "State",
        "Country",
        "Resume File",
    ]
    rows = []
    for i, p in enumerate(PEOPLE[2:11]):
        job = assign(i)
        resume = f"resume_{500 + i}.md"
        country = "" if i == 3 else p.country
        rows.append(
            [
                str(500 + i),
                p.first,
                p.last,
                p.email,
                p.phone,
                job.title,
                job.key,
                f"{job.city}, {job.country}",
                "New",
                str(i % 5),
                "Indeed",
                f"2026-11-{i + 2:02d}",
                "",
                p.linkedin,
                p.city,
                "",
                country,
                resume,
            ]
        )
        write_resume(out, resume, p, job)
    write_csv(out / "applicants.csv", header, rows)


def teamtailor() -> None:
    """Candidates (CSV) with job applications and the cv.zip file names."""
    out = folder("teamtailor")
    header = [
        "Candidate ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone",
        "LinkedIn URL",
        "Tags",
        "Job Application ID",
        "Job Application Created At",
        "Job ID",
        "Job",
        "Job Language",
        "Job Location",
        "Stage",
        "Source",
        "Resume Name",
        "Sourced",
    ]
    rows = []
    for i, p in enumerate(PEOPLE[:10]):
        job = assign(i)
        resume = f"{p.first} {p.last} CV.txt"
        rows.append(
            [
                f"CAND_{i + 1}",
                p.first,
                p.last,
                p.email,
                p.phone,
                p.linkedin,
                "talent-pool",
                str(29305118 + i),
                f"{i + 10:02d}.11.2026 15:59:12",
                job.key,
                job.title,
                job.language,
                f"{job.city}, {job.country}",
                "Inbox",
                "Career site",
                resume,
                "false",
            ]
        )
        write_resume(out, resume, p, job)
    rows[6][3] = "mj.garcia@example"  # no top-level domain
    write_csv(out / "candidates.csv", header, rows)
    jheader = [
        "Job ID",
        "Title",
        "Status",
        "Language Code",
        "Locations",
        "Department",
        "Body",
        "Employment Level",
    ]
    jrows = [
        [
            j.key,
            j.title,
            "open",
            j.language,
            f"{j.city}, {j.country}",
            j.department,
            j.html,
            "Senior" if "Senior" in j.title else "",
        ]
        for j in JOBS
    ]
    write_csv(out / "jobs.csv", jheader, jrows)


def smartrecruiters() -> None:
    """Legacy Applications report (camelCase headers, alphabetical) as CSV."""
    out = folder("smartrecruiters")
    header = [
        "applicationCreationDate",
        "applicationID",
        "applicationStage",
        "applicationStep",
        "appliedVia",
        "candidateCity",
        "candidateCountry",
        "candidateEmail",
        "candidateFirstName",
        "candidateLastName",
        "candidatePhoneNumber",
        "candidateResumeFileName",
        "jobCity",
        "jobCountry",
        "jobLanguage",
        "jobRefNumber",
        "jobTitle",
    ]
    rows = []
    for i, p in enumerate(PEOPLE[1:10]):
        job = assign(i)
        resume = f"{p.slug}.html"
        rows.append(
            [
                f"2026-11-{i + 5:02d}T00:00:00",
                f"6c1e2b1a-0000-4000-8000-{i:012d}",
                "NEW",
                "",
                "Career site",
                p.city,
                p.country,
                p.email,
                p.first,
                p.last,
                p.phone,
                resume if i != 2 else "",
                job.city,
                _ISO[job.country],
                job.language.split("-")[0],
                f"REF{job.key}Y",
                job.title,
            ]
        )
        if i != 2:
            write_resume(out, resume, p, job)
    write_csv(out / "applications_report.csv", header, rows)


def personio() -> None:
    """Recruiting › Applications › Export, German account: CSV from German Excel."""
    out = folder("personio")
    header = [
        "Kandidaten-ID",
        "Name",
        "Geschlecht",
        "E-Mail-Adresse",
        "Geburtstag",
        "Verfügbar ab",
        "Gehaltsvorstellung",
        "Wohnort",
        "Land",
        "Letzte Phase",
        "Telefonnummer",
        "Bewerbungs-ID",
        "Bewerbungsdatum",
        "Bewerbungskanal",
        "Stelle",
        "Standort",
        "Abteilung",
        "Sprache",
        "Lebenslauf",
    ]
    rows = []
    for i, p in enumerate(PEOPLE[:9]):
        job = assign(i)
        resume = f"Lebenslauf_{p.slug}.txt"
        email = p.email if i != 5 else "sean.obrien@@example.ie"
        rows.append(
            [
                str(1200 + i),
                p.full,
                "",
                email,
                "",
                "01.01.2027",
                "",
                p.city,
                _german_country(p.country),
                "Eingang",
                p.phone,
                str(7700 + i),
                f"{i + 1:02d}.11.2026",
                "Karriereseite",
                job.title,
                f"{job.city}, {_german_country(job.country)}",
                job.department,
                job.language[:2],
                resume,
            ]
        )
        write_resume(out, resume, p, job)
    write_csv(out / "bewerbungen.csv", header, rows, delimiter=";", encoding="utf-8-sig")


def personio_en() -> None:
    """The same export from an English-language Personio account, as XLSX."""
    out = folder("personio_en")
    header = [
        "Candidate ID",
        "Candidate name",
        "Gender",
        "Email address",
        "Birthday",
        "Available from",
        "Expected salary",
        "Candidate location",
        "Country",
        "Final phase",
        "Phone number",
        "Application ID",
        "Application date",
        "Application channel",
        "Position",
        "Office",
        "Department",
        "Language",
        "CV",
    ]
    rows = []
    for i, p in enumerate(PEOPLE[:9]):
        job = assign(i)
        resume = f"CV_{p.slug}.txt"
        rows.append(
            [
                str(1200 + i),
                p.full,
                "",
                p.email,
                "",
                "01.01.2027",
                "",
                p.city,
                p.country,
                "Inbox",
                p.phone,
                str(7700 + i),
                f"{i + 1:02d}.11.2026",
                "Career page",
                job.title,
                f"{job.city}, {job.country}",
                job.department,
                job.language[:2],
                resume,
            ]
        )
        write_resume(out, resume, p, job)
    write_xlsx(out / "applications.xlsx", header, rows, sheet="Applications")


def recruitee() -> None:
    """Candidates › ⋯ › Export to CSV (the columns of the table view)."""
    out = folder("recruitee")
    header = [
        "Name",
        "Emails",
        "Phones",
        "Jobs",
        "Job Location",
        "Job Country",
        "Stage",
        "Tags",
        "Sources",
        "Links",
        "Social Links",
        "Country",
        "Created at",
        "CV",
    ]
    rows = []
    for i, p in enumerate(PEOPLE[3:12]):
        job = assign(i)
        resume = f"{p.slug.lower()}.txt"
        rows.append(
            [
                p.full,
                f"{p.email}, {p.first.lower()}@work.example",
                f"'{p.phone}",
                job.title,
                job.city,
                job.country,
                "Applied",
                "",
                "Job board",
                "",
                p.linkedin,
                p.country,
                f"2026-11-{i + 1:02d} 08:30:00 UTC",
                resume if i != 4 else "missing_cv.txt",
            ]
        )
        if i != 4:
            write_resume(out, resume, p, job)
    write_csv(out / "candidates.csv", header, rows)


def jazzhr() -> None:
    """Applicants export (CSV, US dates), resumes saved by file name."""
    out = folder("jazzhr")
    header = [
        "Applicant ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone",
        "Address",
        "City",
        "State",
        "Zip",
        "Country",
        "Job Title",
        "Job ID",
        "Job City",
        "Job Country",
        "Apply Date",
        "Status",
        "Rating",
        "Source",
        "LinkedIn URL",
        "Resume File",
    ]
    rows = []
    for i, p in enumerate(PEOPLE[:10]):
        job = assign(i)
        resume = f"{p.slug}.txt"
        country = "Narnia" if i == 9 else p.country
        rows.append(
            [
                f"prospect_2026{i:04d}",
                p.first,
                p.last,
                p.email,
                p.phone,
                "",
                p.city,
                "",
                "",
                country,
                job.title,
                f"job_{job.key}",
                job.city,
                job.country,
                f"11/{i + 1:02d}/2026",
                "New",
                "",
                "Indeed",
                p.linkedin,
                resume,
            ]
        )
        write_resume(out, resume, p, job)
    write_csv(out / "applicants.csv", header, rows)


def ashby() -> None:
    """Analytics › custom list report (Job Consideration subject) exported as CSV."""
    out = folder("ashby")
    header = [
        "Candidate Name",
        "Candidate Email",
        "Candidate ID",
        "Candidate Location",
        "Job",
        "Job ID",
        "Job Location",
        "Department",
        "Current Stage",
        "Application Status",
        "Source",
        "Application Created At",
        "LinkedIn URL",
        "Resume File Name",
    ]
    rows = []
    for i, p in enumerate(PEOPLE[:10]):
        job = assign(i)
        resume = f"{p.slug} - Resume.md"
        rows.append(
            [
                p.full,
                p.email,
                f"2f0e{i:04d}-aaaa-4bbb-8ccc-{i:012d}",
                f"{p.city}, {p.country}",
                job.title,
                f"b7{job.key}",
                f"{job.city}, {job.country}",
                job.department,
                "Application Review",
                "Active",
                "Inbound: Job Board",
                f"2026-11-{i + 1:02d}T12:00:00.000Z",
                p.linkedin,
                resume,
            ]
        )
        write_resume(out, resume, p, job)
    rows.append(list(rows[2]))  # the same consideration exported twice: a duplicate
    write_csv(out / "job_considerations.csv", header, rows)


def icims() -> None:
    """Search › Recruiting Workflow › Export › Excel (CSV): "Object : Field" headers."""
    out = folder("icims")
    header = [
        "Recruiting Workflow Profile (Person Full Name: First, Last Label)",
        "Person : System ID",
        "Person : Email",
        "Person : Phone",
        "Person : Address : Country",
        "Job : System ID",
        "Job : Job Title",
        "Job : Job Location : City",
        "Requisition : Company Country",
        "Source (Workflow Tab)",
        "Currently in Standard Stage Screen",
        "Last Updated Date in Standard Stage Screen",
        "Person : Resume File Name",
    ]
    rows = []
    for i, p in enumerate(PEOPLE[:10]):
        job = assign(i)
        resume = f"{p.slug}.txt"
        rows.append(
            [
                f"{p.first}, {p.last}",
                str(10400 + i),
                p.email,
                p.phone,
                p.country if i != 1 else "",
                str(900 + int(job.key)),
                job.title,
                job.city,
                job.country,
                "Careers Site",
                "Yes",
                f"11/{i + 1:02d}/2026",
                resume,
            ]
        )
        write_resume(out, resume, p, job)
    write_csv(out / "recruiting_workflow.csv", header, rows)


_ISO = {"Germany": "de", "Portugal": "pt", "Canada": "ca"}  # lower case, as the API gives
_GERMAN = {
    "Portugal": "Portugal",
    "Germany": "Deutschland",
    "France": "Frankreich",
    "Ghana": "Ghana",
    "India": "Indien",
    "Ireland": "Irland",
    "Spain": "Spanien",
    "Japan": "Japan",
    "Sweden": "Schweden",
    "Canada": "Kanada",
}


def _german_country(name: str) -> str:
    return _GERMAN.get(name, name)


ALL = [
    greenhouse,
    lever,
    workable,
    bamboohr,
    teamtailor,
    smartrecruiters,
    personio,
    personio_en,
    recruitee,
    jazzhr,
    ashby,
    icims,
]

if __name__ == "__main__":
    for make in ALL:
        make()
        print("wrote", make.__name__)

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
import zipfile
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
        "Status",
        "Applied On",
        "Rejected On",
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
                "Rejected" if i == 2 else "Hired" if i == 5 else "Active",  # still exported
                f"2026-11-{10 + i:02d}",
                "2026-11-20" if i == 2 else "",
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
                "Hired" if i == 6 else "New applicant",
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
                "true" if i == 6 else "false",  # hired: still exported
            ]
        )
        write_resume(out, resume, p, job)
    # The same person applying twice to the same posting: a duplicate.
    dup = list(rows[0])
    dup[0] = "8f2c9999-1b2a-4c3d-9e8f-0a1b2c3d4e5f"
    rows.append(dup)
    write_csv(out / "candidates.presence.latest.csv", header, rows)


def workable() -> None:
    """Workable's candidates CSV as public parsers read it: parsed sections, no resume."""
    out = HERE / "workable"
    out.mkdir(exist_ok=True)
    for old in out.glob("*"):
        if old.is_dir():
            for f in old.iterdir():
                f.unlink()
            old.rmdir()
        elif old.name != "expected.json":
            old.unlink()
    header = [
        "Name",
        "Email",
        "Phone",
        "Job",
        "Job location",
        "Headline",
        "Summary",
        "Experiences",
        "Educations",
        "Social profiles",
        "Source",
        "Stage",
        "Tags",
        "Disqualified",
        "Creation time",
    ]
    rows = []
    for i, p in enumerate(PEOPLE[:9]):
        job = assign(i)
        experiences = " | ".join(
            [
                f"{job.department} Lead at Acme {p.country} (2021-03-01 to present)",
                f"{job.department} Specialist at Globex (2017-06-01 to 2021-02-28)",
            ]
        )
        social = " | ".join(
            x
            for x in (
                f"Linkedin: {p.linkedin}" if p.linkedin else "",
                "Github: https://github.com/x",
            )
            if x
        )
        summary = (
            f"{job.department} professional with eight years of experience in fast-growing"
            f" teams; based in {p.city}."
        )
        rows.append(
            [
                p.full,
                p.email,
                p.phone if i != 3 else p.phone.replace("+233", "0"),  # national: no country
                job.title,
                f"{job.city}, {job.country}" if i != 7 else "Remote",
                f"{job.department} professional" if i != 4 else "",
                summary if i != 4 else "",
                experiences if i != 4 else "",
                "BSc Computer Science, University of Lisbon (2010 to 2014)" if i != 4 else "",
                social,
                "Careers page",
                "Hired" if i == 5 else ["Applied", "Phone screen", "Interview"][i % 3],
                "remote-ok",
                "true" if i == 8 else "false",  # disqualified: still exported
                f"2026-11-{i + 3:02d} 10:15:00 UTC",
            ]
        )
    write_csv(out / "candidates.csv", header, rows)


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
                {4: "Hired", 6: "Not a Fit"}.get(i, "New"),
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
                "Hired" if i == 4 else "Inbox",
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
                {3: "REJECTED", 5: "HIRED", 7: "WITHDRAWN"}.get(i, "NEW"),
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
                {3: "Abgelehnt", 8: "Eingestellt"}.get(i, "Eingang"),
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
                {4: "Rejected", 8: "Hired"}.get(i, "Inbox"),
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
                {2: "Hired", 6: "Disqualified"}.get(i, "Applied"),
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
                {3: "Hired", 8: "Not Hired"}.get(i, "New"),
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
                "Offer" if i == 8 else "Application Review",
                {5: "Archived", 8: "Hired"}.get(i, "Active"),
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
        "Currently in Standard Stage Hired",
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
                "No" if i == 4 else "Yes",
                "Yes" if i == 4 else "",  # the Hired bin: still exported
                f"11/{i + 1:02d}/2026",
                resume,
            ]
        )
        write_resume(out, resume, p, job)
    write_csv(out / "recruiting_workflow.csv", header, rows)


# ---------------------------------------------------------------- real shapes (§23)


def make_pdf(*lines: str) -> bytes:
    """A real one-page PDF with a text layer (Helvetica, Latin-1 text), offsets computed."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    content = "BT /F1 11 Tf 72 720 Td 14 TL " + " ".join(f"({t}) '" for t in escaped) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content.encode('latin-1'))} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode())
    out.write(f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def resume_pdf(p: Person, title: str) -> bytes:
    return make_pdf(
        p.full,
        f"{p.city}, {p.country}",
        "Experience",
        f"2019-2024: work relevant to {title}",
        "2016-2019: earlier role in a growing team",
        "Skills: communication, problem solving",
    )


def lever_full() -> None:
    """Lever's full export: the sample's header verbatim (§23), resumes in Resumes/.

    ``Files`` names ``<Contact ID>.pdf`` for most rows; some rows name nothing but
    their file is there under their id; some have no file; three files belong to
    no row. Phones have no "+", few rows have a location, and the CSV holds a
    stray NUL byte (seen in real Lever exports). Archived and hired rows are
    exported like the others.
    """
    out = HERE / "lever_full"
    resumes = out / "Resumes"
    resumes.mkdir(parents=True, exist_ok=True)
    for old in resumes.iterdir():
        old.unlink()
    header = [
        "Contact ID", "Candidate Name", "Company", "Email", "Phone", "Schools", "Address",
        "City", "State", "Zip", "Links", "Files", "Sources", "Created At (GMT)",
        "Archived At (GMT) ", "Posting Title", "Posting Team", "Posting Level",
        "Archive Reason", "Current Stage", "Hired", "Start Date", "Snoozed Until",
        "Profile Archive Reason", "Requisition For Hire ID",
        "Requisition For Hire Requisition Code", "App ID",
    ]  # fmt: skip
    places = [
        ("1 Main St", "Boston", "MA", "02108"),  # a region code a city confirms
        ("", "", "", ""),
        ("", "Toronto", "ON", ""),
        ("", "", "", ""),
        ("", "São Luís", "MA", ""),  # MA here is Maranhão: the city says Brazil
        ("", "", "", ""),
        ("", "", "", ""),
        ("", "Dublin", "", ""),
        ("", "", "", ""),
        ("", "", "", ""),
    ]
    phones = ["(626) 456-7890", "3152345678", "818456-0123", "+49 89 1234567", "",
              "`-541-678-9012", "", "", "+44 20 7946 0958", ""]  # fmt: skip
    postings = [("Account Executive", "Sales", "Mid"), ("Senior Backend Engineer",
                 "Engineering", "Senior")]  # fmt: skip
    rows = []
    for i, p in enumerate(PEOPLE[:10]):
        cid = str(21338490 + i)
        title, team, level = postings[i % 2]
        address, city, state, zipcode = places[i]
        named = i not in (2, 5, 6)
        has_file = i not in (6,)
        archived = i == 8
        rows.append(
            [
                cid, p.full, "Acme" if i % 3 else "", p.email, phones[i], "", address, city,
                state, zipcode, p.linkedin, f"{cid}.pdf" if named else "", "LinkedIn",
                f"2026-10-{i + 1:02d} 09:00:00", "2026-11-02 10:00:00" if archived else "",
                title, team, level, "Withdrew" if archived else "",
                "Hired" if i == 9 else "New applicant", "true" if i == 9 else "false",
                "2027-01-04" if i == 9 else "", "", "", "", "", f"app-{7000 + i}",
            ]
        )  # fmt: skip
        if has_file and i != 5:
            (resumes / f"{cid}.pdf").write_bytes(resume_pdf(p, title))
        elif i == 5:  # a file named after the candidate: found by the full name
            (resumes / f"{p.first}_{p.last.replace(chr(39), '')}_Resume.pdf").write_bytes(
                resume_pdf(p, title)
            )
    rows[2][11] = ""  # no Files: found by its Contact ID in Resumes/
    for extra in ("21339999.pdf", "21340000.pdf", "cover_letters_batch.pdf"):
        (resumes / extra).write_bytes(make_pdf("A file", "that belongs to no row of the export"))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buf.getvalue().replace(",LinkedIn,", ",LinkedIn\x00,", 1)  # one stray NUL byte
    (out / "candidates.csv").write_bytes(data.encode("utf-8"))


class _FixedDates:
    """Writes zip entries with one fixed date, so the archive is the same every time."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf

    def writestr(self, name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(name, date_time=(2026, 11, 29, 9, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zf.writestr(info, data)


def greenhouse_full() -> None:
    """Greenhouse candidates (XLSX) + Jobs; attachments zipped by an API extractor.

    The zip holds ``<Candidate ID>-attachments/`` folders (a resume and a cover
    letter each) and the bulk download's e-mail-named files. Addresses are free
    text ("New York, New York, USA"); the Berlin office's jobs get German
    interviews. Rejected and hired applications are exported too.
    """
    out = HERE / "greenhouse_full"
    out.mkdir(exist_ok=True)
    header = [
        "Candidate ID", "Application ID", "First Name", "Last Name", "Email", "Phone",
        "Address", "Social Media", "Job", "Job ID", "Office", "Department", "Stage",
        "Status", "Applied On", "Rejected On", "Rejection Reason", "Hired On",
    ]  # fmt: skip
    addresses = ["New York, New York, USA", "Lisboa", "", "Accra, Ghana",
                 "Bengaluru, Karnataka, India", "", "Madrid, Spain", "Osaka", "",
                 "Toronto, ON, Canada"]  # fmt: skip
    jobs = [
        ("Senior Backend Engineer", "4012", "Berlin"),
        ("Customer Success Manager", "4013", "Lisbon"),
    ]
    rows = []
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as raw:
        zf = _FixedDates(raw)
        for i, p in enumerate(PEOPLE[:10]):
            cid = str(51000 + i)
            title, job_id, _ = jobs[i % 2]
            status = "Rejected" if i == 6 else "Hired" if i == 9 else "Active"
            rows.append(
                [
                    cid, str(88000 + i), p.first, p.last, p.email,
                    p.phone if i != 8 else p.phone.replace("+", ""), addresses[i], p.linkedin,
                    title, job_id, "", "Engineering", "Application Review", status,
                    f"2026-11-{10 + i:02d}", "2026-11-25" if i == 6 else "",
                    "Not a fit" if i == 6 else "", "2026-11-28" if i == 9 else "",
                ]
            )  # fmt: skip
            if i in (4, 8):  # the bulk download names files by e-mail
                zf.writestr(f"{p.email}.pdf", resume_pdf(p, title))
            elif i != 7:
                folder = f"{cid}-attachments"
                zf.writestr(f"{folder}/{p.slug}_Resume.pdf", resume_pdf(p, title))
                zf.writestr(f"{folder}/Cover_Letter.pdf", make_pdf("Dear hiring team", "I apply."))
        zf.writestr("__MACOSX/51000-attachments/._Ana_Silva_Resume.pdf", b"\x00\x05\x16\x07")
    (out / "attachments.zip").write_bytes(archive.getvalue())
    write_xlsx(out / "candidates.xlsx", header, rows, sheet="Candidates",
               title_rows=["Candidate Export", "Generated Nov 29, 2026"])  # fmt: skip
    jheader = ["Job ID", "Job Name", "Requisition ID", "Office", "Department", "Status"]
    jrows = [[j, t, f"REQ-{j}", office, "Engineering", "Open"] for t, j, office in jobs]
    write_xlsx(out / "jobs.xlsx", jheader, jrows, sheet="Jobs")


def personio_docs() -> None:
    """Personio's export with exactly its documented columns (§23), as XLSX behind a
    cover sheet: no CV column, the candidate's location as free text."""
    out = HERE / "personio_docs"
    resumes = out / "documents"
    resumes.mkdir(parents=True, exist_ok=True)
    for old in resumes.iterdir():
        old.unlink()
    header = [
        "Candidate ID", "Candidate name", "Gender", "Email address", "Birthday",
        "Available from", "Expected salary", "Candidate location", "Final phase",
        "Final phase date", "Final status", "Final status date", "Phone number",
        "Application ID", "Application date", "Application channel", "Application tags",
        "Application rejection reason", "Days in current phase", "Position", "Office",
        "Department",
    ]  # fmt: skip
    locations = ["Lisbon", "München", "Lyon, France", "", "Bengaluru", "Dublin", "Madrid",
                 "Osaka, Japan", "Göteborg"]  # fmt: skip
    rows = []
    for i, p in enumerate(PEOPLE[:9]):
        job = assign(i)
        rejected = i == 4
        rows.append(
            [
                str(457 + i), p.full, "", p.email, "", "01.01.2027", "", locations[i],
                "Interview" if not rejected else "Rejected", f"{i + 10:02d}.11.2026",
                "rejected" if rejected else "in progress", f"{i + 10:02d}.11.2026",
                p.phone, str(9100 + i), f"{i + 1:02d}.11.2026", "Career page", "",
                "Not a fit" if rejected else "", str(3 + i), job.title, job.city,
                job.department,
            ]
        )  # fmt: skip
        if i != 3:  # Manatal-style "<id>-<name>.pdf"; row 5 has no file
            (resumes / f"{457 + i}-{p.first} {p.last}.pdf").write_bytes(resume_pdf(p, job.title))
    (resumes / "Fatima Zahra.pdf").write_bytes(resume_pdf(PEOPLE[11], "none"))  # no row
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "Export"
    cover.append(["Personio export"])
    cover.append(["Exported by", "hr@example.com"])
    cover.append(["Columns", "Candidate ID, Candidate name, Email address, …"])
    data = wb.create_sheet("Applications")
    data.append(header)
    for row in rows:
        data.append(row)
    wb.save(out / "applications.xlsx")


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
    lever_full,
    greenhouse_full,
    personio_docs,
]

if __name__ == "__main__":
    for make in ALL:
        make()
        print("wrote", make.__name__)

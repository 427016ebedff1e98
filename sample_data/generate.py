"""Regenerate sample_data/{applicants,jobs,questions}.{csv,xlsx} (deterministic).

    .venv/bin/python sample_data/generate.py

The files use the generic mapping's column names (mappings/generic.yaml):
36 applicants for 6 jobs, varied names, countries and languages, multi-line
resumes, and a few deliberately bad rows, each commented below. The questions
sheet gives two jobs their own interview questions (README "Positions and
interview questions"); the other four get questions JobMojito writes.
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent

JOBS = [
    # position_external_id, name, location, country, language, seniority, description
    (
        "JOB-101",
        "Backend Engineer",
        "Berlin",
        "Germany",
        "de",
        "senior",
        "<p>Build and run our <b>Python</b> services.</p><ul><li>APIs</li><li>Data</li></ul>",
    ),
    (
        "JOB-102",
        "Customer Success Manager",
        "Lisbon",
        "PT",
        "pt",
        "intermediate",
        "Help customers succeed &amp; grow with the product.",
    ),
    (
        "JOB-103",
        "Junior Data Analyst",
        "São Paulo",
        "Brazil",
        "pt-BR",
        "",
        "Analyse hiring funnels and report weekly.\nSQL and spreadsheets.",
    ),
    (
        "JOB-104",
        "Head of Sales",
        "Remote",
        "GB",
        "en",
        "managerial",
        "Lead a team of eight account executives across EMEA.",
    ),
    (
        "JOB-105",
        "Chef de projet",
        "Lyon",
        "FRA",
        "French",
        "",
        "Piloter des projets de recrutement pour nos clients.",
    ),
    (
        "JOB-106",
        "Pflegefachkraft",
        "Wien",
        "Österreich",
        "German",
        "entry-level",
        "Pflege und Betreuung im Tagdienst.",
    ),
]

FIRST = [
    "Ana",
    "Bruno",
    "Chloé",
    "Dmitri",
    "Eva",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemal",
    "Léa",
    "Mateus",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tomás",
    "Uma",
    "Viktor",
    "Wiktoria",
    "Xavier",
    "Yara",
    "Zoltán",
    "Aisha",
    "Björn",
    "Carmen",
    "Dário",
]
LAST = [
    "Silva",
    "Müller",
    "Dubois",
    "Ivanov",
    "Novak",
    "Haddad",
    "Lindqvist",
    "Tanaka",
    "García",
    "Schmidt",
    "Yılmaz",
    "Martin",
    "Souza",
    "Kowalska",
    "Berg",
    "Sharma",
    "Roux",
    "Costa",
    "Olsen",
    "Ruiz",
    "Patel",
    "Horvat",
    "Nowak",
    "Moreau",
    "Santos",
    "Nagy",
    "Khan",
    "Eriksson",
    "López",
    "Pereira",
]
COUNTRIES = [
    "PT",
    "DE",
    "France",
    "Ukraine",
    "CZ",
    "Lebanon",
    "SE",
    "Japan",
    "ES",
    "AT",
    "Türkiye",
    "FR",
    "BR",
    "Poland",
    "Norway",
    "India",
    "BE",
    "Brasil",
    "DK",
    "Mexico",
    "GB",
    "HR",
    "PL",
    "CH",
    "Portugal",
    "HU",
    "United Kingdom",
    "SWE",
    "Spain",
    "PT",
]


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def resume(first: str, last: str, job: str) -> str:
    return (
        f"{first} {last}\n"
        f"Curriculum vitae — applying for {job}\n\n"
        "Experience\n"
        "- 2021–2024: team member, delivered projects on time\n"
        '- 2018–2021: assistant, "quoted" praise from managers; commas, too\n\n'
        "Languages: English, one more"
    )


def applicants() -> list[dict[str, str]]:
    rows = []
    for i in range(30):
        job = JOBS[i % len(JOBS)]
        first, last = FIRST[i], LAST[i]
        rows.append(
            {
                "candidate_external_id": f"C-{1000 + i:05d}",
                "candidate_name": f"{first} {last}",
                "candidate_email": ascii_fold(f"{first}.{last}@example.com".lower()),
                "candidate_country_code": COUNTRIES[i],
                "candidate_linkedin_url": f"https://www.linkedin.com/in/{first.lower()}-{i}",
                "position_external_id": job[0],
                "candidate_resume": resume(first, last, job[1]),
            }
        )
    # Deliberately bad or tricky rows, one problem each:
    bad = [
        ("C-02001", "Bad Email", "bad.email@", "DE", "JOB-101", "valid resume"),  # bad e-mail
        ("C-02002", "Nowhere Person", "nowhere@example.com", "Atlantis", "JOB-102", "resume"),
        ("C-02003", "No Resume", "no.resume@example.com", "FR", "JOB-103", ""),  # missing resume
        ("C-02004", "Lost Job", "lost.job@example.com", "ES", "JOB-999", "resume"),  # unknown job
        # A formula-looking name: valid, and must stay text in the results sheet.
        (
            "C-02005",
            '=HYPERLINK("http://evil.example","click")',
            "formula@example.com",
            "GB",
            "JOB-104",
            "resume",
        ),
        # A name that starts with '-': valid, and must read back exactly as typed.
        ("C-02006", "-Ana-", "ana.dash@example.com", "PT", "JOB-105", "resume"),
        # The first applicant again, same job: a duplicate.
        ("C-01000", "Ana Silva", "ANA.SILVA@example.com ", "PT", "JOB-101", "resume again"),
    ]
    for ext, name, email, country, job_id, text in bad:
        rows.append(
            {
                "candidate_external_id": ext,
                "candidate_name": name,
                "candidate_email": email,
                "candidate_country_code": country,
                "candidate_linkedin_url": "",
                "position_external_id": job_id,
                "candidate_resume": text and f"{name}\n{text}\nmulti-line",
            }
        )
    return rows


def jobs() -> list[dict[str, str]]:
    return [
        {
            "position_external_id": j[0],
            "position_name": j[1],
            "position_location": j[2],
            "position_country_code": j[3],
            "mojito_language_code": j[4],
            "seniority_level": j[5],
            "position_description": j[6],
        }
        for j in JOBS
    ]


#: job, order, question, duration, type, alternatives, follow-up of
QUESTIONS = [
    ("JOB-104", "1", "Tell us about a sales team you built or turned around. What changed,"
     " and how did you measure it?", "3 min", "", "", ""),
    ("JOB-104", "2", "How do you forecast a quarter, and how close were your last four"
     " forecasts?", "120", "", "", ""),
    ("JOB-104", "3", "Which CRM have you used most?", "30", "multiple choice + unscored",
     "Salesforce\nHubSpot\nPipedrive\nAnother one", ""),
    ("JOB-104", "4", "Walk us through the deal you are proudest of.", "2:30", "", "", ""),
    ("JOB-104", "5", "What would you do differently in that deal today?", "90", "", "", "4"),
    ("JOB-106", "1", "Warum möchten Sie in der Pflege im Tagdienst arbeiten?", "90", "", "",
     ""),
    ("JOB-106", "2", "Beschreiben Sie eine schwierige Situation mit einer Patientin oder"
     " einem Patienten. Wie haben Sie sie gelöst?", "150", "", "", ""),
    ("JOB-106", "3", "Was haben Sie daraus für Ihre Arbeit gelernt?", "90", "", "", "2"),
    ("JOB-106", "4", "Welche Ausbildung haben Sie?", "30", "multiple choice",
     "Diplomierte Gesundheits- und Krankenpflege | Pflegefachassistenz | Pflegeassistenz",
     ""),
]  # fmt: skip


def questions() -> list[dict[str, str]]:
    names = ("job", "order", "question", "duration", "type", "alternatives", "follow-up of")
    return [dict(zip(names, q, strict=True)) for q in QUESTIONS]


def write(name: str, rows: list[dict[str, str]]) -> None:
    headers = list(rows[0])
    with (HERE / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, headers)
        writer.writeheader()
        writer.writerows(rows)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = name
    ws.append(headers)
    for row in rows:
        ws.append([row[h] for h in headers])
        for cell in ws[ws.max_row]:
            cell.data_type = "s"  # text, never a formula (the tricky name above)
    wb.save(HERE / f"{name}.xlsx")


if __name__ == "__main__":
    write("applicants", applicants())
    write("jobs", jobs())
    write("questions", questions())
    print("wrote sample_data/{applicants,jobs,questions}.{csv,xlsx}")

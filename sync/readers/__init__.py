"""Reading: ATS exports as tables of text, and the resume files they name.

- ``read_table(path)``: a CSV / XLSX / XLS / ODS / gzipped CSV export as a
  ``Table`` of text cells with Excel row numbers (``sync.readers.tables``).
- ``ResumeStore``: resume files in a folder or a zip, read as text
  (``sync.readers.resumes``); ``html_to_text`` for HTML cells and files.
"""

from sync.readers.html import html_to_text
from sync.readers.resumes import ResumeStore
from sync.readers.tables import (
    FORMATS,
    MAX_UNCOMPRESSED_BYTES,
    list_sheets,
    normalise_header,
    read_table,
    sniff_format,
)

__all__ = [
    "FORMATS",
    "MAX_UNCOMPRESSED_BYTES",
    "ResumeStore",
    "html_to_text",
    "list_sheets",
    "normalise_header",
    "read_table",
    "sniff_format",
]

"""Reading: ATS exports as tables of text, and the resume files they name.

- ``read_table(path)``: a CSV / XLSX / XLS / ODS / gzipped CSV export as a
  ``Table`` of text cells with Excel row numbers (``sync.readers.tables``, which
  runs ``sniff`` -> ``delimited`` (with ``encoding``) or ``workbooks`` -> ``grid``).
- ``ResumeStore``: resume files in a folder or a zip (``sync.readers.resumes``),
  read as text (``sync.readers.documents``); ``html_to_text`` for HTML cells and files.
"""

from sync.readers.grid import normalise_header
from sync.readers.html import html_to_text
from sync.readers.resumes import ResumeStore
from sync.readers.sniff import FORMATS, MAX_UNCOMPRESSED_BYTES
from sync.readers.tables import list_sheets, read_table, sniff_format

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

"""Mapping: how the rows of an export become the API's payloads.

One module a step of the flow:

- ``model``: the mapping-file format (``mappings/*.yaml``) as the pydantic
  ``MappingFile``, and the rules across its fields;
- ``load``: ``load_mapping`` reads and validates a file (a shipped name or a path);
- ``bind``: ``bind`` resolves its columns against the files' headers once
  (joining the jobs export), and raises InputError when a required field has
  no column;
- ``rows``: ``map_rows`` turns each row into a payload and its problems
  (collected, never raised); ``applicant_columns`` says which columns each
  field reads, for messages about an empty cell.

Beside them, ``transforms`` holds the named cell transforms, ``detect`` chooses
a shipped mapping from a file's headers (``--mapping auto``) and ``starter``
writes a starter mapping for an unknown export (``mappings init``).
"""

from sync.mapping.bind import BoundField, BoundMapping, JobsIndex, bind
from sync.mapping.detect import (
    Choice,
    Score,
    all_referenced_columns,
    all_signature_columns,
    choose_mapping,
    score_mappings,
)
from sync.mapping.load import (
    list_mappings,
    load_mapping,
    mapping_path,
    parse_mapping,
    shipped_mappings_dir,
)
from sync.mapping.model import (
    PAYLOAD_FIELDS,
    REQUIRED_FIELDS,
    Detect,
    FieldSpec,
    JobsJoin,
    MappingFile,
)
from sync.mapping.rows import applicant_columns, map_rows
from sync.mapping.starter import starter_mapping

__all__ = [
    "PAYLOAD_FIELDS",
    "REQUIRED_FIELDS",
    "BoundField",
    "BoundMapping",
    "Choice",
    "Detect",
    "FieldSpec",
    "JobsIndex",
    "JobsJoin",
    "MappingFile",
    "Score",
    "all_referenced_columns",
    "all_signature_columns",
    "applicant_columns",
    "bind",
    "choose_mapping",
    "list_mappings",
    "load_mapping",
    "map_rows",
    "mapping_path",
    "parse_mapping",
    "score_mappings",
    "shipped_mappings_dir",
    "starter_mapping",
]

"""Mapping: how the rows of an export become the API's payloads.

``load_mapping`` reads a mapping file (``mappings/*.yaml``) into a validated
``MappingFile``; ``bind`` resolves its columns against the files' headers once
(joining the jobs export); ``map_rows`` turns each row into a payload and its
problems. ``sync.mapping.transforms`` holds the named cell transforms,
``sync.mapping.detect`` chooses a shipped mapping from the headers and
``sync.mapping.starter`` writes a starter mapping for an unknown export.
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
from sync.mapping.rows import map_rows
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

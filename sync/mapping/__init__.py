"""Mapping: how the rows of an export become the API's payloads.

``load_mapping`` reads a mapping file (``mappings/*.yaml``) into a validated
``MappingFile``; ``bind`` resolves its columns against the files' headers once
(joining the jobs export); ``map_rows`` turns each row into a payload and its
problems. ``sync.mapping.transforms`` holds the named cell transforms,
``sync.mapping.detect`` chooses a shipped mapping from the headers and writes
starter mappings.
"""

from sync.mapping.model import (
    PAYLOAD_FIELDS,
    REQUIRED_FIELDS,
    BoundField,
    BoundMapping,
    Detect,
    FieldSpec,
    JobsIndex,
    JobsJoin,
    MappingFile,
    bind,
    list_mappings,
    load_mapping,
    map_rows,
    mapping_path,
    parse_mapping,
    shipped_mappings_dir,
)

__all__ = [
    "PAYLOAD_FIELDS",
    "REQUIRED_FIELDS",
    "BoundField",
    "BoundMapping",
    "Detect",
    "FieldSpec",
    "JobsIndex",
    "JobsJoin",
    "MappingFile",
    "bind",
    "list_mappings",
    "load_mapping",
    "map_rows",
    "mapping_path",
    "parse_mapping",
    "shipped_mappings_dir",
]

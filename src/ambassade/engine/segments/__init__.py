"""Segments: saved filters over a community's members (docs/community.md, "Segments").

Pure Python: a segment's definition is parsed and checked here (every error coded and naming the
criterion), and :func:`matches` says whether one member's facts satisfy it. The community app
translates the same definition into one database query; a test holds the two to the same answers.
"""

from ambassade.engine.segments._segments import (
    CLASSES,
    FIELD_OPERATORS,
    FIELD_TYPES,
    STAFF_CHOICES,
    Definition,
    Facts,
    FieldCondition,
    Range,
    SegmentError,
    matches,
    parse,
    parse_field_value,
)

__all__ = [
    "CLASSES",
    "FIELD_OPERATORS",
    "FIELD_TYPES",
    "STAFF_CHOICES",
    "Definition",
    "Facts",
    "FieldCondition",
    "Range",
    "SegmentError",
    "matches",
    "parse",
    "parse_field_value",
]

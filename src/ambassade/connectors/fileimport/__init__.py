"""File import: a CSV or JSONL export of posts, with a column mapping."""

from ambassade.connectors.fileimport.client import FileImportConnector
from ambassade.connectors.fileimport.parse import FileImportError, ImportProblem, parse_file

__all__ = ["FileImportConnector", "FileImportError", "ImportProblem", "parse_file"]

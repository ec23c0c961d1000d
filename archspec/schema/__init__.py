"""Pydantic models and JSON Schemas of archspec's data formats: the YAML form of a spec
(``archspec schema yaml``) and the audit reports (``archspec schema audit``, and
``audit-sizes`` for ``audit --input 3xHxW --json``). Imported only by
those commands and by users: ``check`` and ``audit`` never load pydantic."""

from __future__ import annotations

import json
from typing import Any

KINDS = ("yaml", "audit", "audit-sizes")


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``kind``: "yaml", "audit" or "audit-sizes"."""
    if kind == "yaml":
        from archspec.schema.yaml_form import YamlSpec
        model: Any = YamlSpec
    elif kind == "audit":
        from archspec.schema.audit import AuditJson
        model = AuditJson
    elif kind == "audit-sizes":
        from archspec.schema.audit_sizes import SizesAuditJson
        model = SizesAuditJson
    else:
        raise ValueError(f"unknown schema {kind!r}; expected one of {', '.join(KINDS)}")
    schema = model.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text(kind: str) -> str:
    return json.dumps(json_schema(kind), indent=2) + "\n"

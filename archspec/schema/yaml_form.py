"""The YAML form of a spec (docs/yaml.md) as pydantic models, for its JSON Schema: editors
with yaml-language-server complete and check YAML specs against ``archspec schema yaml``.

archspec's own YAML reader (archspec.frontend.yaml) stays the authority on what a spec means;
these models describe the same shapes of data, and every spec ``fmt --to yaml`` writes
validates against them (tests/schema).
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter
from typing_extensions import TypeAliasType

Identifier = Annotated[str, StringConstraints(pattern=r"^[^\W\d]\w*$")]

Expr = TypeAliasType("Expr", Annotated[
    Union[str, int, float, bool, list["Expr"]],
    Field(description="an .arch expression as a string (`in -> conv(64, 3)`), or a number, "
                      "a boolean or a list of them")])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AuxOutput(Strict):
    """The value of an ``aux NAME`` statement."""

    value: Expr
    weight: Expr | None = None


Statement = TypeAliasType("Statement", Annotated[
    Union[str, Annotated[dict[str, Union[Expr, list["Statement"], AuxOutput]],
                         Field(min_length=1, max_length=1)]],
    Field(description="a bare expression, or one key: NAME, 'a, b', 'let NAME', "
                      "'input NAME', 'out', 'out NAME', 'aux NAME', 'for VAR in EXPR' "
                      "(a list of statements), 'assert' ([cond, message]) or 'do'")])

Param = Annotated[
    Union[str, Annotated[dict[str, Expr], Field(min_length=1, max_length=1)]],
    Field(description="NAME or 'NAME: type' (required), or {NAME: default}")]


class Definition(Strict):
    """A block, or a network with a body."""

    doc: str | None = None
    params: list[Param] = Field(default_factory=list)
    body: list[Statement] = Field(default_factory=list)


class Alias(Strict):
    """A network defined by another's parameters: ``alias: resnet(depth=50)``."""

    doc: str | None = None
    alias: str


class YamlSpec(Strict):
    """An archspec spec in YAML."""

    model_config = ConfigDict(extra="forbid", title="archspec YAML spec")

    imports: list[str] = Field(default_factory=list, description=(
        "std.NAME, or a relative path to an .arch/.yaml file; either may end 'as ALIAS'"))
    let: dict[Identifier, Expr] = Field(default_factory=dict)
    blocks: dict[Identifier, Definition] = Field(default_factory=dict)
    networks: dict[Identifier, Definition | Alias] = Field(default_factory=dict)


def validate(data: Any) -> YamlSpec:
    """``data`` (YAML loaded as plain data) as a YamlSpec; pydantic.ValidationError if not."""
    return TypeAdapter(YamlSpec).validate_python(data)

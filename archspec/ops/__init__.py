"""Primitive families. Importing this package registers every primitive."""

from archspec.ops import conv  # noqa: F401

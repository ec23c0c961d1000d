"""Primitive families. Importing this package registers every primitive.

``torch_modules`` is not imported here: it loads torch, and only lowerings need it.
"""

from archspec.ops import (  # noqa: F401
    act,
    conv,
    deform,
    dropout,
    io,
    lenet,
    linear,
    merge,
    modern,
    norm,
    params,
    pool,
    sample,
    shape,
    slicing,
)

"""archspec: a declarative architecture-spec compiler for convolutional networks.

    import archspec
    net = archspec.load("specs/resnet50.arch", num_classes=10)
    net.graph, net.outputs, net.audit()
    model = archspec.build("specs/resnet50.arch", num_classes=10, device="cuda")
"""

from archspec.api import Network, build, check, load
from archspec.errors import SpecError, SpecErrors

__all__ = ["Network", "SpecError", "SpecErrors", "build", "check", "create_model", "list_models",
           "load"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``create_model`` and ``list_models`` load the zoo registry on first use (start-up)."""
    if name in ("create_model", "list_models"):
        from archspec import zoo
        return getattr(zoo, name)
    raise AttributeError(f"module 'archspec' has no attribute {name!r}")

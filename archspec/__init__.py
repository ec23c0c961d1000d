"""archspec: a declarative architecture-spec compiler for convolutional networks.

    import archspec
    net = archspec.load("specs/resnet50.arch", num_classes=10)
    net.graph, net.outputs, net.audit()
    model = archspec.build("specs/resnet50.arch", num_classes=10, device="cuda")
"""

from archspec.api import Network, build, check, load
from archspec.errors import SpecError, SpecErrors

__all__ = ["Network", "SpecError", "SpecErrors", "build", "check", "create_model", "import_model",
           "list_models", "load"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``create_model``, ``list_models`` (the zoo registry) and ``import_model`` (the
    importers) load on first use, off the start-up path of ``check``."""
    if name in ("create_model", "list_models"):
        from archspec import zoo
        return getattr(zoo, name)
    if name == "import_model":
        from archspec.importers import import_model
        return import_model
    raise AttributeError(f"module 'archspec' has no attribute {name!r}")

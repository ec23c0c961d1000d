"""archspec: a declarative architecture-spec compiler for convolutional networks.

    import archspec
    net = archspec.load("specs/resnet50.arch", num_classes=10)
    net.graph, net.outputs, net.audit()
    model = archspec.build("specs/resnet50.arch", num_classes=10, device="cuda")
"""

from archspec.api import Network, build, check, load
from archspec.errors import SpecError, SpecErrors
from archspec.zoo import create_model, list_models

__all__ = ["Network", "SpecError", "SpecErrors", "build", "check", "create_model", "list_models",
           "load"]
__version__ = "0.1.0"

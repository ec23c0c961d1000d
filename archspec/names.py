"""The names a spec gives to things that reach generated code or a state dict: one rule set,
applied once at elaboration and shared with the torch backend, so ``check`` and ``build``
cannot disagree.

Two rules, kept apart:

- a **module name** (every part of a label's dotted path) becomes an attribute of a
  ``torch.nn.Module``: it must not be empty, contain ``.``, start with ``_``, be a Python
  keyword (the generated ``forward`` reads it as ``self.<name>``), or be an attribute or
  method of ``nn.Module`` or of the built class (``training``, ``forward``, ``code``);
- an **argument name** (inputs and outputs) becomes a parameter of ``forward`` or a field of
  the outputs' NamedTuple: it must be a Python identifier, not a keyword, and not start with
  ``_``; an input also must not be a name the generated code uses (``self``, ``torch``,
  builtins: torch.fx would rename the parameter, so ``forward(x=...)`` would not match).

Both reject names that Unicode NFKC normalisation changes (``ｆｃ`` is ``fc`` to Python, so two
layers would share one attribute). torch is not imported here: the static lists are checked
against torch's own classes by tests/backends/torch/test_names.py.
"""

from __future__ import annotations

import builtins
import keyword
import unicodedata

from archspec.errors import SpecNameError
from archspec.source import Span

# dir(nn.Module) plus the attributes nn.Module.__init__ sets (torch 2.x).
MODULE_ATTRIBUTES = frozenset("""
T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda
double dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter
get_submodule half ipu load_state_dict modules mtia named_buffers named_children
named_modules named_parameters parameters register_backward_hook register_buffer
register_forward_hook register_forward_pre_hook register_full_backward_hook
register_full_backward_pre_hook register_load_state_dict_post_hook
register_load_state_dict_pre_hook register_module register_parameter
register_state_dict_post_hook register_state_dict_pre_hook requires_grad_ set_extra_state
set_submodule share_memory state_dict to to_empty train training type xpu zero_grad
""".split())
# What the built class (backends/torch/module.py ArchModule) adds.
NETWORK_ATTRIBUTES = frozenset("""
code loss_weights program combine_losses Outputs TrainOutputs forward_train forward_eval
""".split())
# Names torch.fx's generated code binds besides Python's builtins (fx.graph._custom_builtins).
CODEGEN_GLOBALS = frozenset("self torch inf nan device NoneType fx_pytree pytree".split())
RESERVED_ARGUMENTS = CODEGEN_GLOBALS | frozenset(dir(builtins)) | frozenset(keyword.kwlist)


def module_name_problem(part: str) -> str | None:
    """Why ``part`` cannot name a submodule, or None."""
    if not part:
        return "is empty"
    if "." in part:
        return "contains '.'"
    if part.isdigit():
        return None
    return common_problem(part) or (
        "is an attribute of torch.nn.Module" if part in MODULE_ATTRIBUTES else
        "is an attribute of the built network" if part in NETWORK_ATTRIBUTES else None)


def argument_name_problem(name: str, kind: str = "input") -> str | None:
    """Why ``name`` cannot be an input (or output) name, or None."""
    if not name.isidentifier():
        return "is not a Python identifier"
    reserved = kind == "input" and name in RESERVED_ARGUMENTS
    return common_problem(name) or ("is a name the generated code uses" if reserved else None)


def common_problem(name: str) -> str | None:
    normal = unicodedata.normalize("NFKC", name)
    if normal != name:
        return f"is read by Python as '{normal}' (Unicode NFKC normalisation)"
    if keyword.iskeyword(name):
        return "is a Python keyword"
    if name.startswith("_"):
        return "starts with '_' (reserved for torch's own attributes)"
    return None


def check_module_label(label: str, span: Span) -> None:
    """SpecNameError when ``label`` (one part of a module path) cannot name a submodule."""
    problem = module_name_problem(label)
    if problem:
        raise SpecNameError(f"label '{label}' {problem}", span, hint=suggestion(label))


def check_argument_name(name: str, kind: str, span: Span) -> None:
    """SpecNameError when an input or output called ``name`` cannot reach ``forward``."""
    problem = argument_name_problem(name, kind)
    if problem:
        raise SpecNameError(f"{kind} name '{name}' {problem}", span, hint=suggestion(name))


def suggestion(name: str) -> str:
    base = unicodedata.normalize("NFKC", name).replace(".", "_").strip("_") or "x"
    if base != name and module_name_problem(base) is None and base.isidentifier():
        return f"rename it, e.g. '{base}' (if that name is free) or '{base}_'"
    return f"rename it, e.g. '{base}_'"

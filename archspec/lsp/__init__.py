"""The archspec language server (``archspec lsp``): diagnostics, hover, inlay hints,
navigation, completion and formatting for ``.arch`` files, answered from the same loader,
elaborator and spans the compiler uses (docs/editors.md)."""

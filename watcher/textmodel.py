"""Names that pipelines saved before the package layout changed refer to (pickle format only).

A joblib file stores functions by module path. The shipped and personal models of pipeline
version 4 name ``watcher.textmodel.pick_*`` and ``shape``; this shim keeps them loadable. It is
the one module that re-exports; nothing in the product imports it. Remove it with the next
PIPELINE_VERSION.
"""

from watcher.classify.textmodel import pick_signals, pick_subject, pick_text, pick_text_head, shape

__all__ = ["pick_signals", "pick_subject", "pick_text", "pick_text_head", "shape"]

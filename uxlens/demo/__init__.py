"""The onboarding demo: a fake SaaS app, simulated users, rrweb recordings and ground truth.

``generate(n_sessions, seed)`` plays sessions of "Acme Projects" onboarding
(landing, pricing, signup, profile, invite teammates, dashboard) on desktop,
tablet and mobile, records them as rrweb events and lists every fact it
planted (rage clicks on the disabled "Send invites" button of version A,
dead clicks on an image that looks like a button, error clicks, quick backs,
drop at the invite step...) so that analyses can be checked against it.
``sample_path()`` is the committed 300-session sample (seed 7).

Examples
--------
>>> from uxlens.demo import generate
>>> data = generate(n_sessions=5, seed=1)
>>> sorted(data.recordings[0])
['events', 'session_id', 'user_id']
"""

import sys
import types
from typing import Any

from .generate import STORY, TRUTH_COLUMNS, DemoData, generate, label, plan_sessions, sample_path

__all__ = ["generate", "sample_path", "DemoData", "plan_sessions", "label", "STORY",
           "TRUTH_COLUMNS"]


class _CallableModule(types.ModuleType):
    """``uxlens.demo`` is also the name of the loader ``ux.demo()``.

    Importing this subpackage rebinds the attribute ``uxlens.demo`` to the
    module, so the module forwards calls to :func:`uxlens.datasets.demo` and
    ``ux.demo()`` keeps working whichever was bound last.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from ..datasets import demo

        return demo(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

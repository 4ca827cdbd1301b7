"""Friction: rage, dead and error clicks, thrashing, U-turns, quick backs... and scores.

Each detector is a documented function with thresholds you can change one by
one or all at once through a vendor preset (``preset="posthog" | "datadog" |
"amplitude" | "openreplay"``). :class:`Friction` runs them all, lists every
signal, scores every session with an explainable weighted sum, aggregates per
page and element, learns which signals predict non-conversion, and ranks
insights that link to the sessions behind them.

Detectors and their defaults (every number is a parameter):

=================  ==========================================================
kind               default rule
=================  ==========================================================
rage_click         >= 3 presses, each <= 1000 ms and <= 30 px from the previous
dead_click         press on a non-interactive element, no mutation, pageview,
                   scroll or selection <= 2500 ms after it
error_click        console error, uncaught error or failed request (status >=
                   400 or 0) <= 1000 ms after a press
thrashed_cursor    >= 5 horizontal direction reversals (> 4) within 1000 ms,
                   each leg >= 300 px/s
excessive_scroll   scroll travel on one page view >= 3 page heights
scroll_uturn       a scroll leg of >= 400 px reversed by >= 50 % of it within
                   3000 ms
quick_back         A -> B -> A with <= 10 s spent on B
form_abandonment   inputs typed on a page, then no submit on that page
hesitation         >= 3000 ms (and < 30 s) without any action before a press
repeated_edit      the same input edited in >= 3 separate visits, or cleared
                   and retyped >= 2 times
=================  ==========================================================

Boundaries are inclusive unless a preset says otherwise (PostHog and
OpenReplay compare with ``<``).

The package has one module per job: ``params`` (threshold dataclasses,
presets, weights, :func:`resolve_params`), ``runner`` (the events table and
how a detector runs: numpy in memory or Ibis on a backend, over
:mod:`uxlens.engine.friction`), ``clicks`` (rage, dead and error click flags),
``signals`` (each detector's output as rows of the signal table),
``detectors`` (the page-level detector functions), ``text`` (element names,
labels, reasons), ``core`` (the :class:`Friction` class: signals, scores,
explain) and the mixins it is made of, ``aggregates`` (per page and element),
``models`` (features, outcome model, anomalies) and ``insights``.
"""

from __future__ import annotations

from .clicks import dead_clicks, error_clicks, flag_clicks, rage_clicks
from .core import Friction
from .detectors import (
    form_abandonment,
    hesitations,
    quick_backs,
    repeated_edits,
    scroll_friction,
    thrashed_cursor,
)
from .models import OutcomeModel
from .params import DEFAULT_WEIGHTS, PRESETS, SIGNAL_KINDS, resolve_params
from .signals import SUBMIT_PATTERN
from .text import short_selector

__all__ = [
    "PRESETS",
    "DEFAULT_WEIGHTS",
    "SIGNAL_KINDS",
    "SUBMIT_PATTERN",
    "flag_clicks",
    "rage_clicks",
    "dead_clicks",
    "error_clicks",
    "thrashed_cursor",
    "scroll_friction",
    "quick_backs",
    "form_abandonment",
    "hesitations",
    "repeated_edits",
    "short_selector",
    "resolve_params",
    "Friction",
    "OutcomeModel",
]

"""Detector thresholds: one frozen dataclass per detector, vendor presets, signal weights.

:func:`resolve_params` turns a preset name and flat ``<detector>_<parameter>``
overrides into the thresholds every detector of :mod:`uxlens.friction` uses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..engine.friction import DeadParams, ErrorParams, RageParams
from ..exceptions import UxlensError, did_you_mean

__all__ = ["PRESETS", "DEFAULT_WEIGHTS", "SIGNAL_KINDS", "resolve_params"]


@dataclass(frozen=True)
class ThrashParams:
    """Thresholds of :func:`thrashed_cursor`."""

    min_reversals: int = 5
    window_ms: int = 1000
    min_speed_px_s: float = 300.0
    min_leg_px: float = 2.0
    max_gap_ms: int = 500


@dataclass(frozen=True)
class ScrollParams:
    """Thresholds of :func:`scroll_friction`."""

    excessive_page_heights: float = 3.0
    min_leg_px: float = 400.0
    return_ratio: float = 0.5
    uturn_ms: int = 3000


@dataclass(frozen=True)
class QuickBackParams:
    """Thresholds of :func:`quick_backs`."""

    max_ms: int = 10_000
    inclusive: bool = True


@dataclass(frozen=True)
class FormParams:
    """Thresholds of :func:`form_abandonment`."""

    min_inputs: int = 1
    submit_events: tuple[str, ...] = ("submit",)
    submit_pattern: str = ""


@dataclass(frozen=True)
class HesitationParams:
    """Thresholds of :func:`hesitations`."""

    min_ms: int = 3000
    max_ms: int = 30_000
    actions: tuple[str, ...] = (
        "click", "dblclick", "touch", "input", "scroll", "pageview", "selection", "focus",
        "resize",
    )


@dataclass(frozen=True)
class EditParams:
    """Thresholds of :func:`repeated_edits`."""

    min_visits: int = 3
    min_clears: int = 2


_PARAM_CLASSES: dict[str, type] = {
    "rage": RageParams,
    "dead": DeadParams,
    "error": ErrorParams,
    "thrash": ThrashParams,
    "scroll": ScrollParams,
    "quick_back": QuickBackParams,
    "form": FormParams,
    "hesitation": HesitationParams,
    "edits": EditParams,
}


#: Vendor presets: thresholds those products publish or ship in their SDKs.
#: Sources are cited in :func:`rage_clicks`, :func:`dead_clicks`, :func:`error_clicks`.
#: Detectors a vendor has no published rule for keep the uxlens defaults.
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "uxlens": {},
    "posthog": {
        "rage": {"min_clicks": 3, "max_interval_ms": 1000, "max_distance_px": 30.0,
                 "distance": "manhattan", "inclusive": False},
        "dead": {"window_ms": 2500, "response_windows": {"scroll": 100, "selection": 100}},
    },
    "datadog": {
        "rage": {"min_clicks": 3, "max_interval_ms": 1000, "max_distance_px": 100.0,
                 "distance": "euclidean", "same_target": True, "window_ms": 1000},
        "dead": {"window_ms": 100, "targets": "not_text_input",
                 "responses": ("mutation", "pageview", "network", "input", "scroll",
                               "selection")},
        "error": {"window_ms": 10_000},
    },
    "amplitude": {
        "rage": {"min_clicks": 4, "max_interval_ms": 1000, "window_ms": 1000,
                 "max_distance_px": None, "same_target": True},
        "dead": {"window_ms": 3000, "targets": "interactive"},
    },
    "openreplay": {
        "rage": {"min_clicks": 3, "max_interval_ms": 300, "inclusive": False,
                 "max_distance_px": None, "same_target": True},
        "dead": {"window_ms": 1234, "targets": "not_text_input",
                 "responses": ("mutation", "pageview", "input")},
    },
}


#: The signal kinds, in report order.
SIGNAL_KINDS: tuple[str, ...] = (
    "rage_click", "dead_click", "error_click", "thrashed_cursor", "excessive_scroll",
    "scroll_uturn", "quick_back", "form_abandonment", "hesitation", "repeated_edit",
)

#: Kinds that happen on one element (the others are page-level).
_ELEMENT_KINDS = ("rage_click", "dead_click", "error_click", "hesitation", "repeated_edit",
                  "form_abandonment")

#: Points per signal in the session score (rage clicks scale with the burst:
#: ``weight * clicks / min_clicks``). Published defaults; pass ``weights=`` to change.
DEFAULT_WEIGHTS: dict[str, float] = {
    "rage_click": 3.0,
    "error_click": 2.5,
    "dead_click": 1.5,
    "form_abandonment": 2.0,
    "quick_back": 1.5,
    "thrashed_cursor": 1.0,
    "scroll_uturn": 0.5,
    "excessive_scroll": 0.5,
    "repeated_edit": 0.75,
    "hesitation": 0.25,
}


def _check_preset(preset: str | None) -> str:
    name = "uxlens" if preset is None else str(preset).lower()
    if name not in PRESETS:
        raise UxlensError(
            f"Unknown friction preset {preset!r}.{did_you_mean(str(preset), PRESETS)} "
            f"Expected one of {sorted(PRESETS)} or None."
        )
    return name


def _build(
    detector: str, preset: str | None, overrides: Mapping[str, Any], *, prefix: str = ""
) -> Any:
    cls = _PARAM_CLASSES[detector]
    values = dict(PRESETS[_check_preset(preset)].get(detector, {}))
    names = [f.name for f in dataclasses.fields(cls)]
    for key, value in overrides.items():
        if key not in names:
            shown = [prefix + n for n in names]
            raise UxlensError(
                f"The {detector} detector has no parameter {prefix + key!r}."
                f"{did_you_mean(prefix + key, shown)} Parameters: {shown}."
            )
        values[key] = value
    for key in ("responses", "console_levels", "error_events", "actions", "submit_events"):
        if key in values and isinstance(values[key], str):
            values[key] = (values[key],)
        elif key in values:
            values[key] = tuple(values[key])
    params = cls(**values)
    _validate(detector, params)
    return params


def _validate(detector: str, p: Any) -> None:
    if detector == "rage":
        if int(p.min_clicks) < 2:
            raise UxlensError(f"rage min_clicks must be >= 2, got {p.min_clicks!r}.")
        if p.distance not in ("euclidean", "manhattan"):
            raise UxlensError(
                f"rage distance must be 'euclidean' or 'manhattan', got {p.distance!r}."
            )
    if detector == "dead" and p.targets not in (
        "non_interactive", "interactive", "not_text_input", "any"
    ):
        raise UxlensError(
            "dead targets must be one of 'non_interactive', 'interactive', "
            f"'not_text_input', 'any'; got {p.targets!r}."
        )
    if detector == "dead" and p.mode not in ("auto", "mutation", "fallback"):
        raise UxlensError(f"dead mode must be 'auto', 'mutation' or 'fallback', got {p.mode!r}.")
    for f in dataclasses.fields(p):
        value = getattr(p, f.name)
        if f.name.endswith("_ms") and value is not None and float(value) < 0:
            raise UxlensError(f"{detector} {f.name} must be >= 0 ms, got {value!r}.")


def resolve_params(preset: str | None = None, **params: Any) -> dict[str, Any]:
    """All detector thresholds for a preset, with flat overrides applied.

    Parameters
    ----------
    preset
        ``None`` (uxlens defaults), ``"posthog"``, ``"datadog"``,
        ``"amplitude"`` or ``"openreplay"``.
    **params
        ``<detector>_<parameter>=value``, e.g. ``rage_min_clicks=4``,
        ``dead_window_ms=3000``, ``quick_back_max_ms=5000``. Detectors:
        ``rage, dead, error, thrash, scroll, quick_back, form, hesitation, edits``.

    Returns
    -------
    dict
        Detector name -> frozen parameter object.

    Examples
    --------
    >>> p = resolve_params("posthog", rage_min_clicks=4)
    >>> p["rage"].min_clicks, p["rage"].distance, p["dead"].windows()["scroll"]
    (4, 'manhattan', 100)
    """
    _check_preset(preset)
    per: dict[str, dict[str, Any]] = {d: {} for d in _PARAM_CLASSES}
    for key, value in params.items():
        for det in sorted(_PARAM_CLASSES, key=len, reverse=True):
            if key.startswith(det + "_"):
                per[det][key[len(det) + 1:]] = value
                break
        else:
            flat = [f"{d}_{f.name}" for d, c in _PARAM_CLASSES.items()
                    for f in dataclasses.fields(c)]
            raise UxlensError(
                f"Unknown friction threshold {key!r}.{did_you_mean(key, flat)} Thresholds are "
                "named <detector>_<parameter>, e.g. rage_min_clicks=4, dead_window_ms=3000."
            )
    return {d: _build(d, preset, per[d], prefix=d + "_") for d in _PARAM_CLASSES}


def _flat(prefix: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return {f"{prefix}_{k}": v for k, v in params.items()}

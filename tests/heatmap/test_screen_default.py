"""A page with several screen states: the default heatmap draws its main states side by side.

On the demo, the invite page shows two A/B versions and the dashboard a welcome
modal open or closed. ``Heatmap(log, url=...)`` (``screen=None``) splits such a
page into one panel per main state, each with its own counts; ``screen="all"``
keeps the merged map; a page with one state, or events without recordings,
keep the single map. Expected counts come from ``log.with_screens().events``
with pandas, independently of the heatmap code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uxlens.eventlog import EventLog
from uxlens.exceptions import UxlensError
from uxlens.heatmap import Heatmap

from ._build import PAGE, events, session

INVITE = "/onboarding/invite"
DASHBOARD = "/dashboard"


@pytest.fixture(scope="module")
def log():
    from uxlens.datasets import demo

    return demo()


@pytest.fixture(scope="module")
def screened(log):
    return log.with_screens().events


def _clicks(ev: pd.DataFrame, url: str, device: str | None = None) -> pd.DataFrame:
    page = ev[ev["url"].astype(str).str.endswith(url) & (ev["event"] == "click")]
    return page if device is None else page[page["device"].astype(str) == device]


def _panels(fig) -> dict[str, int]:
    """Panel title -> clicks under it, read from the heat traces' exact hover counts."""
    heat = [t for t in fig.data if t.type == "heatmap"]
    titles = [a.text for a in fig.layout.annotations][: len(heat)]
    return {title.split(" · ")[0]: int(np.asarray(t.customdata)[..., 0].sum())
            for title, t in zip(titles, heat, strict=True)}


@pytest.mark.parametrize("url", [INVITE, DASHBOARD])
def test_default_plot_puts_each_main_screen_on_its_own_panel(log, screened, url):
    h = Heatmap(log, url=url, background=None)
    page = _clicks(screened, url)
    # the main states: every state with >= 10 % of the page's clicks, most clicks first
    shares = page["screen"].astype(str).value_counts() / len(page)
    expected = shares[shares >= 0.10].sort_values(ascending=False, kind="stable").index.tolist()
    assert len(expected) == 2
    assert h.main_screens() == expected
    if url == INVITE:  # the two A/B versions, each shown to one version only
        by_version = page.groupby("screen", observed=True)["version"].unique()
        assert sorted(tuple(v) for v in by_version[expected]) == [("A",), ("B",)]
    else:
        assert sum("modal" in n for n in expected) == 1
    device = page["device"].astype(str).value_counts().idxmax()
    fig = h.plot()
    assert fig.layout.title.text.startswith(
        f"Clicks on {url} · 2 screens side by side · {device}")
    panels = _panels(fig)
    assert list(panels) == expected
    for name in expected:
        # each panel counts exactly what the per-screen heatmap counts ...
        one = Heatmap(log, url=url, screen=name, background=None)
        assert panels[name] == one.summary()["devices"][device]["events"]
        # ... which is the page's clicks shown on that screen on that device
        mine = _clicks(screened, url, device)
        assert panels[name] == int((mine["screen"].astype(str) == name).sum()) > 0
    # each panel is drawn over its own screen's rendering, from a session that showed it
    assert [m.screen for m in h.screen_maps()] == expected


def test_all_merges_the_states_and_a_name_keeps_one(log, screened):
    merged = Heatmap(log, url=INVITE, background=None, screen="all")
    assert merged.main_screens() == []
    fig = merged.plot()
    panels = _panels(fig)
    assert list(panels) == ["desktop", "tablet", "mobile"]
    page = _clicks(screened, INVITE)
    assert panels == page["device"].astype(str).value_counts().to_dict()
    assert "screen" not in merged._title() and "side by side" not in fig.layout.title.text
    # the default's numbers are the whole page's: the same as the merged map's
    default = Heatmap(log, url=INVITE, background=None)
    pd.testing.assert_frame_equal(default.grid(), merged.grid())
    name = default.main_screens()[0]
    one = Heatmap(log, url=INVITE, background=None, screen=name)
    assert one.main_screens() == []
    assert list(_panels(one.plot())) == ["desktop", "tablet", "mobile"]


def test_device_choice_for_the_panels(log, screened):
    h = Heatmap(log, url=INVITE, background=None, device="mobile")
    mobile = _clicks(screened, INVITE, "mobile")
    panels = _panels(h.plot())
    assert panels == {n: int((mobile["screen"].astype(str) == n).sum())
                      for n in h.main_screens()}
    assert h.plot().layout.title.text.startswith(
        f"Clicks on {INVITE} · 2 screens side by side · mobile")
    tablet = _panels(Heatmap(log, url=INVITE, background=None).plot(device="tablet"))
    page = _clicks(screened, INVITE, "tablet")
    assert sum(tablet.values()) == int(page["screen"].notna().sum())


def test_single_state_page_keeps_one_map_without_assigning_screens(log, screened):
    h = Heatmap(log, url="/signup", background=None)
    assert h.main_screens() == []
    assert "screen_shared" not in h._shared.cache  # no event got a screen for this answer
    assert _clicks(screened, "/signup")["screen"].astype(str).nunique() == 1
    panels = _panels(h.plot())
    assert list(panels) == ["desktop", "tablet", "mobile"]
    assert panels == _panels(Heatmap(log, url="/signup", background=None,
                                     screen="all").plot())


def test_events_without_recordings_keep_the_single_map(log):
    plain = EventLog(log.events)
    h = Heatmap(plain, url=INVITE, background=None)
    assert h.main_screens() == [] and "screens" not in plain.meta
    assert list(_panels(h.plot())) == ["desktop", "tablet", "mobile"]
    assert "side by side" not in h._repr_html_()


def test_a_screen_column_is_enough(log, screened):
    h = Heatmap(EventLog(screened), url=INVITE, background=None)
    assert h.main_screens() == Heatmap(log, url=INVITE, background=None).main_screens()


def test_scroll_and_friction_maps(log, screened):
    assert Heatmap(log, url=INVITE, kind="scroll", background=None).main_screens() == []
    # rage clicks all happen on one version's button: one main state, one map
    rage = Heatmap(log, url=INVITE, kind="rage", background=None)
    assert rage.main_screens() == []
    moves = Heatmap(log, url=INVITE, kind="move", background=None)
    page = screened[screened["url"].astype(str).str.endswith(INVITE)
                    & (screened["event"] == "mousemove")]
    shares = page["screen"].astype(str).value_counts() / len(page)
    assert moves.main_screens() == shares[shares >= 0.1].index.tolist()


def test_notebook_view_shows_one_preview_per_screen(log, screened):
    h = Heatmap(log, url=INVITE, background=None)
    html = h._repr_html_()
    assert "2 screens side by side · desktop" in html
    desktop = _clicks(screened, INVITE, "desktop")
    for name in h.main_screens():
        n = int((desktop["screen"].astype(str) == name).sum())
        assert html.count(f"{name} · 1440 px · {n:,} clicks") == 1
    assert html.count("<figure") == 2


def test_main_state_thresholds_hand_computed():
    rows = []
    # S1: 6 clicks, S2: 3, S3: 1, and one click before any screen: 11 clicks on the page
    for i, (screen, n) in enumerate([("S1", 6), ("S2", 3), ("S3", 1), (None, 1)]):
        for row in session(f"s{i}", 1440, [(100.0 + k, 200.0) for k in range(n)]):
            rows.append({**row, "screen": screen})
    ev = events(rows)
    h = Heatmap(ev, url=PAGE, background=None)
    assert h.main_screens() == ["S1", "S2"]  # S3 has 1 / 11 < 10 %
    assert h.main_screens(min_share=1 / 11) == ["S1", "S2", "S3"]
    assert h.main_screens(min_share=1 / 11, top=2) == ["S1", "S2"]
    assert h.main_screens(min_share=0.3) == []  # only S1 (6 / 11) is left: one map
    assert _panels(h.plot()) == {"S1": 6, "S2": 3}
    assert h.with_(segment=["s0", "s2"]).main_screens() == ["S1", "S3"]
    with pytest.raises(UxlensError, match="min_share"):
        h.main_screens(min_share=0)
    with pytest.raises(UxlensError, match="top"):
        h.main_screens(top=0)


def test_explorer_offers_the_main_screens_and_starts_on_the_busiest(log, screened):
    from uxlens.widgets.heatmap_explorer import HeatmapExplorer

    w = HeatmapExplorer(Heatmap(log, url=INVITE, background=None))
    mains = Heatmap(log, url=INVITE, background=None).main_screens()
    assert w.screens == ["all", *mains] and w.screen == mains[0]
    desktop = _clicks(screened, INVITE, "desktop")
    assert w.device == "desktop"
    n = int((desktop["screen"].astype(str) == mains[0]).sum())
    assert w.status.startswith(f"{n:,} clicks") and mains[0] in w.title
    w.screen = "all"
    assert w.status.startswith(f"{len(desktop):,} clicks")
    w.screen = mains[1]
    w.click = {"x": 880.0, "y": 510.0}  # the Send invites button
    shown = {row[0] for row in w.sessions["rows"]}  # session_id comes first
    assert shown and shown <= set(desktop.loc[desktop["screen"].astype(str) == mains[1], "session_id"])
    # a page with one state: no selector (only "all")
    assert HeatmapExplorer(Heatmap(log, url="/signup", background=None)).screens == ["all"]


@pytest.mark.browser
def test_explorer_front_end_shows_the_screen_selector_and_reports_the_choice():
    import base64
    import json

    from uxlens.render import _chromium, browser_available
    from uxlens.widgets.heatmap_explorer import HeatmapExplorer

    from .test_explorer import _HARNESS

    ok, why = browser_available()
    if not ok:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    rows = []
    for i, (screen, n) in enumerate([("S1", 6), ("S2", 3)]):
        for row in session(f"s{i}", 1440, [(100.0 + k, 200.0) for k in range(n)]):
            rows.append({**row, "screen": screen})
    w = HeatmapExplorer(Heatmap(events(rows), url=PAGE, background="wireframe"))
    assert w.screens == ["all", "S1", "S2"] and w.screen == "S1"
    assert w.status.startswith("6 clicks · 1 sessions")
    keys = [k for k in w.keys if not k.startswith("_") and k not in ("layout", "comm")]
    state = {k: getattr(w, k) for k in keys}
    for k in ("grid", "image"):
        state[k] = base64.b64encode(state[k]).decode()
    esm = w._esm if isinstance(w._esm, str) else open(w._esm).read()

    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    page_html = _HARNESS.replace(
        "<body", f"<head><script type='text/plain' id='state'>{b64(json.dumps(state, default=str))}"
        f"</script><script type='text/plain' id='esm'>{b64(esm)}</script></head><body", 1)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(),
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.set_content(page_html, wait_until="load")
        page.wait_for_function("window.ready === true", timeout=10_000)
        screen = page.locator("select[aria-label=screen]")
        assert page.locator("select").count() == 5
        assert screen.locator("option").all_inner_texts() == ["all", "S1", "S2"]
        assert screen.input_value() == "S1"
        screen.select_option("S2")
        chosen = page.evaluate("window.state.screen")
        browser.close()
    assert chosen == "S2"
    w.screen = chosen  # what the comm delivers: Python redraws the map of that screen
    assert w.status.startswith("3 clicks · 1 sessions")

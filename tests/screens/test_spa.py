"""A single-page app changing views through the history API, without page loads.

rrweb records no Meta and no FullSnapshot on ``history.pushState``: the only
traces of a route change are Mutation events that swap the subtree of the
app's view container (here with a loading spinner in between, and the nav
link's ``active`` class moving), plus the app's own custom event. Mutations
are built the way rrweb emits them: one ``adds`` entry per node, serialized
without children (``skipChild``), children listed before their parents.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from uxlens.io.rrweb import read_rrweb
from uxlens.screens import screen_states

from ._build import (
    HOST,
    Ids,
    at,
    body_id,
    click,
    custom,
    document,
    el,
    events_at,
    meta,
    mutation,
    remove,
    snapshot,
    txt,
)

URL = HOST + "/app"
VIEWS = ("Projects", "Tasks", "Settings")


def flat_adds(parent: int, node: dict[str, Any]) -> list[dict[str, Any]]:
    """rrweb-style ``adds`` of a subtree: one entry per node without its children,
    ``nextId`` = next sibling, deepest and last nodes first (the replayer retries
    entries whose parent or next sibling is not there yet)."""
    out: list[dict[str, Any]] = []

    def walk(n: dict[str, Any], par: int, next_id: int | None) -> None:
        out.append({"parentId": par, "nextId": next_id,
                    "node": {**n, "childNodes": []} if n["type"] == 2 else dict(n)})
        kids = n.get("childNodes", [])
        for i, kid in enumerate(kids):
            walk(kid, n["id"], kids[i + 1]["id"] if i + 1 < len(kids) else None)

    walk(node, parent, None)
    return out[::-1]


def view(ids: Ids, name: str) -> dict[str, Any]:
    """A view's ``<main>``: a heading plus a structure of its own."""
    if name == "Projects":
        body = el(ids, "ul", {"class": "project-list"},
                  *[el(ids, "li", {"class": "project-card"},
                       el(ids, "a", {"href": f"/app/p/{i}"}, txt(ids, f"Project {i}")))
                    for i in range(3)])
    elif name == "Tasks":
        body = el(ids, "table", {"class": "task-table"},
                  el(ids, "tbody", {},
                     *[el(ids, "tr", {"class": "task-row"},
                          el(ids, "td", {}, el(ids, "input", {"type": "checkbox"})),
                          el(ids, "td", {"class": "count"}, txt(ids, f"Task {i}")))
                       for i in range(3)]))
    else:
        body = el(ids, "form", {"class": "settings-form"},
                  el(ids, "label", {"for": "tz"}, txt(ids, "Time zone")),
                  el(ids, "select", {"id": "tz"}),
                  el(ids, "button", {"type": "submit", "class": "btn primary"},
                     txt(ids, "Save")))
    return el(ids, "main", {"class": f"view view-{name.lower()}"},
              el(ids, "h1", {}, txt(ids, name)), body)


def find(node: dict[str, Any], tag: str) -> dict[str, Any]:
    """The first element with ``tag`` in ``node``'s subtree (depth first)."""
    todo = [node]
    while todo:
        n = todo.pop(0)
        if n.get("tagName") == tag:
            return n
        todo = list(n.get("childNodes", [])) + todo
    raise AssertionError(f"no <{tag}>")


def first(node: dict[str, Any], tag: str) -> int:
    return find(node, tag)["id"]


#: The element clicked in each view (the view's own content, not the nav).
CLICK_TAG = {"Projects": "a", "Tasks": "input", "Settings": "button"}


def spa_session(sid: str, order: tuple[str, ...], *, t0: int = 0) -> tuple[dict, list[str]]:
    """One recording visiting ``order`` (first view from the page load), and the
    view each of its clicks happened in, in time order."""
    ids = Ids()
    nav_links = {name: el(ids, "a", {"href": f"/app/{name.lower()}",
                                     "class": "nav-link active" if name == order[0]
                                     else "nav-link"}, txt(ids, name))
                 for name in VIEWS}
    nav = el(ids, "nav", {"id": "nav"}, *nav_links.values())
    current = view(ids, order[0])
    app = el(ids, "div", {"id": "app"}, current)
    doc = document(ids, el(ids, "header", {"class": "topbar"}, nav), app,
                   title="Acme")
    assert body_id(doc)
    t = t0
    events: list[dict[str, Any]] = [meta(t, "/app"), snapshot(t + 5, doc)]
    expected: list[str] = []
    counter = find(current, "h1")["childNodes"][0]["id"]  # the heading's text
    for k, name in enumerate(order):
        if k > 0:
            # the user clicks the nav link (still on the previous view) ...
            events.append(click(t, nav_links[name]["id"]))
            expected.append(order[k - 1])
            events.append(custom(t + 10, "route_change", {"path": f"/app/{name.lower()}"}))
            # ... the router swaps the view: a spinner first on every other change
            nxt = view(ids, name)
            moves = [{"id": nav_links[order[k - 1]]["id"], "attributes": {"class": "nav-link"}},
                     {"id": nav_links[name]["id"],
                      "attributes": {"class": "nav-link active"}}]
            if k % 2:
                spinner = el(ids, "div", {"class": "spinner", "aria-busy": "true"})
                events.append(mutation(t + 20, removes=[remove(app["id"], current["id"])],
                                       adds=flat_adds(app["id"], spinner), attributes=moves))
                events.append(mutation(t + 250, removes=[remove(app["id"], spinner["id"])],
                                       adds=flat_adds(app["id"], nxt)))
            else:
                events.append(mutation(t + 20, removes=[remove(app["id"], current["id"])],
                                       adds=flat_adds(app["id"], nxt), attributes=moves))
            current = nxt
            counter = find(current, "h1")["childNodes"][0]["id"]
            t += 300
        # a click on the view's own content right after it appeared, then a text update
        events.append(click(t + 100, first(current, CLICK_TAG[name])))
        expected.append(name)
        events.append(mutation(t + 1500, texts=[{"id": counter, "value": name + " (3)"}]))
        events.append(click(t + 2000, first(current, CLICK_TAG[name])))
        expected.append(name)
        t += 3000
    return {"session_id": sid, "events": events}, expected


def recordings() -> tuple[list[dict], dict[str, list[str]]]:
    recs, expected = [], {}
    for sid, order, t0 in (("spa1", ("Projects", "Tasks", "Settings", "Projects"), 0),
                           ("spa2", ("Settings", "Projects", "Tasks"), 60_000)):
        rec, exp = spa_session(sid, order, t0=t0)
        recs.append(rec)
        expected[sid] = exp
    return recs, expected


def test_recording_has_no_page_load_after_the_first():
    recs, _ = recordings()
    for rec in recs:
        types = [e["type"] for e in rec["events"]]
        assert types.count(4) == 1 and types.count(2) == 1  # one Meta, one FullSnapshot


def test_three_views_of_one_url_are_three_states():
    log = read_rrweb(recordings()[0])
    screens = screen_states(log, cache=False)
    table = screens.table()
    on_url = table[table["url"] == URL]
    assert len(on_url) == len(table) == 3
    assert sorted(on_url["screen"]) == sorted(VIEWS)
    stats = on_url.set_index("screen")
    # visits: spa1 Projects twice, every view once in spa2
    assert stats["visits"].to_dict() == {"Projects": 3, "Tasks": 2, "Settings": 2}
    assert stats["sessions"].to_dict() == {"Projects": 2, "Tasks": 2, "Settings": 2}
    # a view starts at its route-change mutation (t + 20), spinner included
    spa1 = screens.segments[screens.segments["session_id"] == "spa1"]
    assert spa1["screen"].tolist() == ["Projects", "Tasks", "Settings", "Projects"]
    assert spa1["start"].tolist() == [at(0), at(3020), at(6320), at(9620)]
    # the pageview-only view of this log: a single URL
    pageviews = log.events[log.events["event"] == "pageview"]
    assert pageviews["url"].astype(str).unique().tolist() == [URL]


def test_each_click_lands_in_the_view_that_was_visible():
    recs, expected = recordings()
    log = read_rrweb(recs)
    screens = screen_states(log, cache=False)
    frame = log.events.assign(screen=screens.assign(log))
    clicks = frame[frame["event"] == "click"].sort_values(["session_id", "timestamp"])
    got = {sid: g["screen"].astype(str).tolist() for sid, g in clicks.groupby("session_id")}
    assert got == expected
    assert len(expected["spa1"]) == 2 + 3 * 3 and len(expected["spa2"]) == 2 + 2 * 3
    # the app's custom route event belongs to the view being left (the DOM has not changed yet)
    routes = frame[frame["event"] == "route_change"].sort_values(["session_id", "timestamp"])
    assert routes["screen"].astype(str).tolist() == [
        "Projects", "Tasks", "Settings", "Settings", "Projects"]


def test_assign_on_a_plain_frame_at_the_boundaries():
    recs, _ = recordings()
    screens = screen_states({r["session_id"]: r["events"] for r in recs})
    # spa1: Tasks from 3020 (burst with spinner starts), Settings from 6320
    got = screens.assign(events_at([("spa1", 3019), ("spa1", 3020), ("spa1", 3200),
                                    ("spa1", 6319), ("spa1", 6320)]))
    assert got.astype(str).tolist() == ["Projects", "Tasks", "Tasks", "Tasks", "Settings"]
    assert isinstance(got.dtype, pd.CategoricalDtype)

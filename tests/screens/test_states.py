"""screen_states(): exact states, visits, times and event assignment on tiny recordings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uxlens.eventlog import EventLog
from uxlens.exceptions import SchemaError, UxlensError
from uxlens.io.rrweb import read_rrweb
from uxlens.screens import Screens, add_screen_column, screen_states

from ._build import (
    HOST,
    T0,
    Ids,
    add,
    at,
    body_id,
    click,
    document,
    el,
    events_at,
    meta,
    mutation,
    remove,
    snapshot,
    txt,
)


def invite_page(ids: Ids, variant: str = "A"):
    """An invite form; variant B has an extra label above the textarea."""
    kids = [el(ids, "h1", {"id": "title"}, txt(ids, "Invite your teammates"))]
    if variant == "B":
        kids.append(el(ids, "label", {"id": "hint-b"}, txt(ids, "Add comma-separated emails")))
    else:
        kids.append(el(ids, "p", {"id": "hint-a", "class": "tiny"},
                       txt(ids, "use comma-separated emails")))
    kids += [el(ids, "textarea", {"id": "emails"}),
             el(ids, "button", {"id": "send", "class": "btn is-disabled"}, txt(ids, "Send"))]
    return document(ids, el(ids, "header", {"id": "top"}, el(ids, "a", {"id": "logo"})),
                    el(ids, "form", {"id": "invite", "class": "card"}, *kids),
                    title="Invite")


def modal(ids: Ids, heading: str = "Welcome aboard", heading_attrs=None):
    return el(ids, "div", {"id": "welcome", "class": "modal", "role": "dialog"},
              el(ids, "h2", dict(heading_attrs or {}), txt(ids, heading)),
              el(ids, "button", {"id": "close"}, txt(ids, "Close")))


def modal_session(sid: str = "s1"):
    """Load at 0; modal opens at 2000, closes at 5000; noise that must not make states."""
    ids = Ids()
    doc = invite_page(ids)
    body = body_id(doc)
    title_text = doc["childNodes"][0]["childNodes"][1]["childNodes"][1]["childNodes"][0][
        "childNodes"][0]["id"]
    send = next(n for n in doc["childNodes"][0]["childNodes"][1]["childNodes"][1]["childNodes"]
                if n["attributes"].get("id") == "send")["id"]
    m = modal(ids)
    events = [
        meta(0, "/invite"), snapshot(1, doc),
        click(1000, send),
        mutation(2000, adds=[add(body, m)]),
        click(3000, m["id"]),
        mutation(5000, removes=[remove(body, m["id"])]),
        # text-only, style-only, focus/state-class and volatile attribute changes
        mutation(6000, texts=[{"id": title_text, "value": "Invite your team"}]),
        mutation(6500, attributes=[{"id": send, "attributes": {"style": {"color": "red"}}}]),
        mutation(7000, attributes=[{"id": send, "attributes": {"class": "btn is-focused"}}]),
        mutation(7500, attributes=[{"id": send, "attributes": {"data-tick": "42"}}]),
        click(9000, send),
    ]
    return {"session_id": sid, "events": events}


def table_of(screens: Screens) -> dict[str, dict]:
    return screens.table().set_index("screen").to_dict("index")


def test_modal_opened_and_closed_makes_two_states_with_exact_times():
    screens = screen_states({"s1": modal_session()["events"]})
    table = table_of(screens)
    assert sorted(table) == ["Invite your teammates",
                             "Invite your teammates \u2014 modal: Welcome aboard"]
    base, opened = table["Invite your teammates"], table[
        "Invite your teammates \u2014 modal: Welcome aboard"]
    assert (base["visits"], base["sessions"], base["time_spent_s"]) == (2, 1, 2.0 + 4.0)
    assert (opened["visits"], opened["sessions"], opened["time_spent_s"]) == (1, 1, 3.0)
    assert base["url"] == HOST + "/invite"
    assert base["representative"] == ("s1", at(1))
    assert opened["representative"] == ("s1", at(2000))
    assert base["first_seen"] == at(0)  # the Meta event: the page load's pageview belongs here
    seg = screens.segments
    assert seg["start"].tolist() == [at(0), at(2000), at(5000)]
    assert seg["end"].tolist() == [at(2000), at(5000), at(9000)]


def test_assign_events_to_the_state_active_then():
    screens = screen_states({"s1": modal_session()["events"]})
    events = events_at([("s1", -5), ("s1", 0), ("s1", 1999), ("s1", 2000), ("s1", 4999),
                        ("s1", 5000), ("s1", 20000), ("other", 3000)])
    events.index = [10, 11, 12, 13, 14, 15, 16, 17]
    got = screens.assign(events)
    base, opened = "Invite your teammates", "Invite your teammates \u2014 modal: Welcome aboard"
    assert got.index.tolist() == events.index.tolist()
    assert got.astype(object).where(got.notna(), None).tolist() == [
        None, base, base, opened, opened, base, base, None]
    assert isinstance(got.dtype, pd.CategoricalDtype)


def test_read_rrweb_log_gains_a_screen_column_and_cache():
    log = read_rrweb([modal_session("s1"), modal_session("s2")])
    screens = screen_states(log)
    assert screen_states(log) is screens  # cached on the log
    assert screen_states(log, debounce_ms=100) is not screens
    frame = screens.with_screen(log)
    clicks = frame[frame["event"] == "click"].sort_values(["session_id", "timestamp"])
    assert clicks["screen"].astype(str).tolist() == [
        "Invite your teammates",
        "Invite your teammates \u2014 modal: Welcome aboard",
        "Invite your teammates"] * 2
    pageviews = frame[frame["event"] == "pageview"]
    assert pageviews["screen"].astype(str).tolist() == ["Invite your teammates"] * 2
    assert table_of(screens)["Invite your teammates"]["sessions"] == 2


def test_mutation_burst_is_debounced_into_one_state():
    ids = Ids()
    doc = invite_page(ids)
    body = body_id(doc)
    spinner = el(ids, "div", {"id": "spinner", "class": "spin"})
    m = modal(ids)
    events = [meta(0, "/invite"), snapshot(0, doc),
              mutation(2000, adds=[add(body, spinner)]),
              mutation(2200, removes=[remove(body, spinner["id"])], adds=[add(body, m)]),
              click(4000, m["id"])]
    screens = screen_states({"s": events})
    assert len(screens) == 2
    assert screens.segments["start"].tolist() == [at(0), at(2000)]
    assert screens.segments["screen"].tolist()[1].endswith("modal: Welcome aboard")
    # without debounce the spinner is a state of its own
    assert len(screen_states({"s": events}, debounce_ms=0, min_share=0)) == 3


def test_ab_variants_on_one_url_are_two_states_named_by_distinctive_text():
    recs = {}
    for i, variant in enumerate("ABAB"):
        ids = Ids()
        recs[f"s{i}"] = [meta(0, "/invite"), snapshot(0, invite_page(ids, variant)),
                         click(1000, 1)]
    screens = screen_states(recs)
    table = table_of(screens)
    assert sorted(table) == ["Invite your teammates \u2014 Add comma-separated emails",
                             "Invite your teammates \u2014 use comma-separated emails"]
    assert {v["sessions"] for v in table.values()} == {2}
    got = screens.assign(events_at([("s0", 5), ("s1", 5), ("s2", 5), ("s3", 5)]))
    assert got.str.endswith("use comma-separated emails").tolist() == [True, False, True, False]
    # DBSCAN finds the same two states
    assert sorted(screen_states(recs, method="dbscan", cache=False).names) == sorted(table)
    # a threshold above their distance merges them
    assert len(screen_states(recs, distance_threshold=0.5)) == 1


def test_spa_three_views_without_page_loads_are_three_states():
    ids = Ids()
    views = {}
    for name, extra in (("Projects", "ul"), ("Tasks", "table"), ("Settings", "form")):
        views[name] = el(ids, "main", {"id": f"view-{name.lower()}"},
                         el(ids, "h1", {}, txt(ids, name)),
                         el(ids, extra, {"class": "content"}, el(ids, "div", {"class": "item"})),
                         el(ids, "section", {"class": name.lower()}))
    doc = document(ids, el(ids, "nav", {"id": "nav"}), views["Projects"])
    body = body_id(doc)
    events = [meta(0, "/app"), snapshot(0, doc),
              mutation(3000, removes=[remove(body, views["Projects"]["id"])],
                       adds=[add(body, views["Tasks"])]),
              mutation(6000, removes=[remove(body, views["Tasks"]["id"])],
                       adds=[add(body, views["Settings"])]),
              mutation(9000, removes=[remove(body, views["Settings"]["id"])],
                       adds=[add(body, views["Projects"])]),
              click(10000, 2)]
    screens = screen_states({"spa": events})
    table = table_of(screens)
    assert sorted(table) == ["Projects", "Settings", "Tasks"]
    assert table["Projects"]["visits"] == 2
    assert (table["Projects"]["time_spent_s"], table["Tasks"]["time_spent_s"],
            table["Settings"]["time_spent_s"]) == (4.0, 3.0, 3.0)
    assert {v["url"] for v in table.values()} == {HOST + "/app"}


def test_masked_dialog_heading_is_never_a_name():
    ids = Ids()
    doc = invite_page(ids)
    m = modal(ids, heading="Welcome ann@corp.example", heading_attrs={"class": "rr-mask"})
    events = [meta(0, "/invite"), snapshot(0, doc),
              mutation(1000, adds=[add(body_id(doc), m)]), click(2000, 1)]
    names = screen_states({"s": events}).names
    assert "Invite your teammates \u2014 modal open" in names
    assert not any("ann" in n or "Welcome" in n for n in names)


def test_same_structure_on_two_urls_merges_only_when_not_by_url():
    recs = {}
    for i, path in enumerate(["/projects/1", "/projects/2"]):
        ids = Ids()
        recs[f"s{i}"] = [meta(0, path), snapshot(0, invite_page(ids)), click(500, 1)]
    assert len(screen_states(recs)) == 2
    merged = screen_states(recs, by_url=False)
    assert len(merged) == 1
    assert merged.table()["url"].tolist() == [f"{HOST}/projects/1, {HOST}/projects/2"]
    assert merged.table()["sessions"].tolist() == [2]


def test_rare_states_fold_into_the_nearest_kept_state():
    recs = {}
    for i in range(19):
        ids = Ids()
        recs[f"s{i}"] = [meta(0, "/invite"), snapshot(0, invite_page(ids)), click(500, 1)]
    ids = Ids()
    recs["rare"] = [meta(0, "/invite"), snapshot(0, invite_page(ids, "B")), click(500, 1)]
    assert len(screen_states(recs, min_share=0.0)) == 2
    folded = screen_states(recs, min_share=0.1)
    assert len(folded) == 1
    assert folded.table()["visits"].tolist() == [20]


def test_no_recordings_and_bad_arguments():
    empty = screen_states({})
    assert len(empty) == 0
    assert empty.table().columns.tolist() == [
        "screen", "url", "sessions", "visits", "time_spent_s", "devices", "representative",
        "first_seen"]
    got = empty.assign(events_at([("s", 1)]))
    assert got.isna().all()
    with pytest.raises(UxlensError, match="method must be one of"):
        screen_states({}, method="kmean")
    with pytest.raises(UxlensError, match="min_share"):
        screen_states({}, min_share=1.5)
    with pytest.raises(UxlensError, match="recordings"):
        screen_states(pd.DataFrame())
    screens = screen_states({"s1": modal_session()["events"]})
    with pytest.raises(SchemaError, match="timestamp"):
        screens.assign(pd.DataFrame({"session_id": ["s1"]}))
    with pytest.raises(UxlensError, match="No screen named"):
        screens.image("Invite your teamates")


def test_eventlog_without_recordings_has_no_states():
    log = EventLog(events_at([("s", 0)]).assign(user_id="s", event="click"))
    assert len(screen_states(log)) == 0
    assert "screens" in log.meta


def test_repr_html_lists_states():
    screens = screen_states({"s1": modal_session()["events"]})
    html = screens._repr_html_()
    assert "Screens(2 states on 1 URLs, 3 visits)" in html
    assert "modal: Welcome aboard" in html


def test_moment_for_url_and_screen_column_helpers():
    log = read_rrweb([modal_session("s1")])
    screens = screen_states(log)
    base, opened = "Invite your teammates", "Invite your teammates \u2014 modal: Welcome aboard"
    assert screens.for_url("/invite") == [base, opened]
    assert screens.for_url("/elsewhere") == []
    # the DOM shows the state from the snapshot (t=1), not from the Meta event (t=0)
    assert screens.moment(base, "s1") == ("s1", float(T0 + 1))
    assert screens.moment(opened) == ("s1", float(T0 + 2000))
    assert screens.moment(opened, "nobody") is None
    assert screens.segments["taken_ms"].tolist() == [T0 + 1, T0 + 2000, T0 + 5000]
    with_col = add_screen_column(log)
    assert with_col.recordings is log.recordings or with_col.recordings == log.recordings
    assert with_col.events["screen"].astype(str).tolist() == screens.assign(log).astype(
        str).tolist()
    assert add_screen_column(with_col) is with_col
    with pytest.raises(UxlensError, match="EventLog"):
        add_screen_column({"s1": []})


def test_rare_fingerprints_beyond_the_clustering_cap_join_their_nearest_state():
    from uxlens.screens import _cluster

    base = {f"t{k}" for k in range(40)}
    fps = [frozenset(base | {group, f"u{group}{i}"}) for i in range(10) for group in "AB"]
    weights = np.arange(len(fps), 0, -1).astype(float)
    full = _cluster(fps, weights, "agglomerative", 0.05, 0.0)
    capped = _cluster(fps, weights, "agglomerative", 0.05, 0.0, max_clustered=4)
    groups = np.array([0, 1] * 10)
    assert len(set(full)) == 2
    assert (full == groups).all() and (capped == groups).all()


def test_windows_of_one_session_are_replayed_separately(tmp_path):
    """Two browser windows of one PostHog session: each event gets its own window's screen."""
    import json

    ids = Ids()
    w1 = [meta(0, "/invite"), snapshot(0, invite_page(ids)), click(1000, 1), click(4000, 1)]
    ids2 = Ids(500)
    doc2 = invite_page(ids2)
    m = modal(ids2)
    w2 = [meta(500, "/invite"), snapshot(500, doc2),
          mutation(2000, adds=[add(body_id(doc2), m)]), click(3000, m["id"])]
    path = tmp_path / "sess-1.jsonl"
    path.write_text("\n".join(json.dumps({"window_id": w, "data": d})
                              for w, d in (("w1", w1), ("w2", w2))) + "\n")
    log = read_rrweb(path)
    screens = screen_states(log)
    base, opened = "Invite your teammates", "Invite your teammates \u2014 modal: Welcome aboard"
    frame = screens.with_screen(log)
    clicks = frame[frame["event"] == "click"].sort_values("timestamp")
    assert list(zip(clicks["window_id"], clicks["screen"].astype(str), strict=True)) == [
        ("w1", base), ("w2", opened), ("w1", base)]
    seg = screens.segments.sort_values(["window_id", "start"])
    assert seg["window_id"].tolist() == ["w1", "w2", "w2"]
    assert seg["session_id"].tolist() == ["sess-1"] * 3
    assert 'id="welcome"' in screens.snapshot_html(opened)
    assert 'id="welcome"' not in screens.snapshot_html(base)


def test_responsive_layouts_with_different_doms_are_named_by_device():
    def shop(ids: Ids, mobile: bool):
        nav = (el(ids, "button", {"id": "burger"}) if mobile else
               el(ids, "nav", {"id": "side"}, *[el(ids, "a", {"class": "link"}) for _ in range(3)],
                  el(ids, "ul", {"class": "cats"}, el(ids, "li", {}))))
        return document(ids, el(ids, "header", {}, nav),
                        el(ids, "main", {}, el(ids, "h1", {}, txt(ids, "Shop"))))

    recs = {}
    for i, (mobile, width) in enumerate([(False, 1440), (True, 375), (False, 1280)]):
        ids = Ids()
        recs[f"s{i}"] = [meta(0, "/shop", width=width), snapshot(0, shop(ids, mobile)),
                         click(800, 1)]
    table = screen_states(recs).table().set_index("screen")
    assert sorted(table.index) == ["Shop (desktop)", "Shop (mobile)"]
    assert table.loc["Shop (desktop)", "devices"] == "desktop"
    assert table.loc["Shop (desktop)", "sessions"] == 2
    assert table.loc["Shop (mobile)", "sessions"] == 1

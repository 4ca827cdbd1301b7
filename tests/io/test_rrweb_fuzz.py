"""Fuzzing read_rrweb: generated recordings, plausible and garbage.

Properties: no exception other than UxlensError escapes; every raw event is
either loaded or rejected (``loaded + rejected == read``), the kept recordings
hold exactly the loaded events, and events are sorted in time within sessions.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uxlens.exceptions import UxlensError
from uxlens.io.rrweb import read_rrweb

T0 = 1_700_000_000_000

json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)


def mostly(valid, garbage=json_leaf):
    """``valid`` nine times out of ten, otherwise ``garbage``."""
    return st.integers(0, 9).flatmap(lambda k: garbage if k == 0 else valid)


json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
node_id = mostly(st.integers(min_value=0, max_value=12))
coord = mostly(st.integers(min_value=-30, max_value=3000), st.floats(-1e7, 1e7) | json_leaf)
timestamp = mostly(
    st.integers(min_value=T0, max_value=T0 + 60_000)
    | st.floats(min_value=T0, max_value=T0 + 60_000)
)


@st.composite
def serialized_node(draw, depth=0):
    """A small serialized DOM node with ids that collide on purpose."""
    kind = draw(st.sampled_from([2, 2, 3, 0, 5]) if depth else st.just(0))
    node = {"type": kind, "id": draw(node_id)}
    if kind == 3:
        node["textContent"] = draw(mostly(st.text(max_size=20)))
        return node
    if kind == 2:
        node["tagName"] = draw(st.sampled_from(["div", "button", "a", "li", "html", "body"]))
        node["attributes"] = draw(
            st.dictionaries(
                st.sampled_from(["id", "class", "role", "style", "data-private", "onclick"]),
                mostly(st.text(max_size=8)),
                max_size=3,
            )
        )
    if depth < 3:
        children = st.lists(serialized_node(depth + 1), max_size=3)
        node["childNodes"] = draw(mostly(children) if depth else children)
    return node


@st.composite
def payload(draw, etype):
    if etype == 4:
        return {"href": draw(mostly(st.sampled_from(["https://a.com/x?q=1#f", "/p"]))),
                "width": draw(coord), "height": draw(coord)}
    if etype == 2:
        return {"node": draw(serialized_node()), "initialOffset": draw(
            mostly(st.fixed_dictionaries({"top": coord, "left": coord})))}
    if etype == 5:
        return {"tag": draw(mostly(st.sampled_from(
                    ["identify", "invite_sent", "click", "page_size"]))),
                "payload": draw(json_value)}
    if etype == 6:
        name = draw(mostly(st.sampled_from(["rrweb/console@1", "rrweb/network@1", "other"])))
        body = draw(
            st.fixed_dictionaries({"level": st.sampled_from(["log", "error"]) | json_leaf,
                                   "payload": st.lists(st.text(max_size=10)) | json_leaf})
            | st.fixed_dictionaries({"requests": st.lists(st.fixed_dictionaries({
                "name": st.text(max_size=10) | json_leaf, "method": json_leaf,
                "status": json_leaf, "startTime": coord, "endTime": coord}), max_size=3)})
            | json_value
        )
        return {"plugin": name, "payload": body}
    if etype == 3:
        source = draw(mostly(st.sampled_from([0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 8, 11, 12, 14, 17])))
        data = {"source": source, "id": draw(node_id), "x": draw(coord), "y": draw(coord)}
        if source == 0:
            data.update({
                "adds": draw(mostly(st.lists(st.fixed_dictionaries({
                    "parentId": node_id, "nextId": st.none() | node_id,
                    "node": serialized_node(1)}), max_size=3))),
                "removes": draw(mostly(st.lists(st.fixed_dictionaries(
                    {"parentId": node_id, "id": node_id}), max_size=2))),
                "texts": draw(st.lists(st.fixed_dictionaries(
                    {"id": node_id, "value": mostly(st.text(max_size=5))}), max_size=2)),
                "attributes": draw(st.lists(st.fixed_dictionaries({
                    "id": node_id, "attributes": st.dictionaries(
                        st.sampled_from(["class", "id", "style"]),
                        mostly(st.text(max_size=5)
                               | st.dictionaries(st.text(max_size=4), json_leaf, max_size=2)),
                        max_size=2)}), max_size=2)),
            })
        elif source in (1, 6, 12):
            data["positions"] = draw(mostly(st.lists(st.fixed_dictionaries({
                "x": coord, "y": coord, "id": node_id,
                "timeOffset": mostly(st.integers(-500, 0))}), max_size=3)))
        elif source == 2:
            data["type"] = draw(mostly(st.integers(min_value=-1, max_value=11)))
        elif source == 5:
            data.update({"text": draw(mostly(st.text(max_size=10))),
                         "isChecked": draw(mostly(st.booleans()))})
        elif source == 4:
            data.update({"width": draw(coord), "height": draw(coord)})
        elif source == 14:
            data["ranges"] = draw(mostly(st.lists(st.fixed_dictionaries(
                {"start": node_id, "end": node_id}), max_size=2)))
        return data
    return draw(json_value)


@st.composite
def rrweb_event(draw):
    etype = draw(mostly(st.sampled_from([0, 1, 2, 3, 3, 3, 3, 4, 5, 6, 7])))
    event = {"type": etype, "timestamp": draw(timestamp)}
    if draw(st.booleans()) or etype in (2, 3, 4, 5, 6):
        event["data"] = draw(payload(etype)) if etype in (2, 3, 4, 5, 6) else draw(json_value)
    if draw(st.integers(0, 9)) == 0:
        event["sessionId"] = draw(mostly(st.sampled_from(["s1", "s2", " "])))
    return event


@st.composite
def recording(draw):
    events = draw(st.lists(mostly(rrweb_event(), json_value), max_size=25))
    if events and draw(st.booleans()):
        events.append(dict(events[0]) if isinstance(events[0], dict) else events[0])
    return events


def check(events, **kwargs):
    try:
        log = read_rrweb(events, **kwargs)
    except UxlensError:
        return
    counts = log.counts
    assert counts["loaded"] + counts["rejected"] == counts["read"]
    containers = {"events", "event", "window_id"}
    if not any(isinstance(e, dict) and containers & set(e) for e in events):
        assert counts["read"] == len(events)  # a plain event list: one raw record each
    assert sum(len(r) for r in log.recordings.values()) == counts["loaded"]
    assert set(log.rejected.columns) == {"source", "position", "reason", "excerpt"}
    ev = log.events
    if len(ev):
        assert ev.groupby("session_id", observed=True)["timestamp"].apply(
            lambda s: s.is_monotonic_increasing).all()
        assert (ev[["x", "y"]].dropna() >= 0).all().all()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recording(), st.booleans())
def test_fuzz_loaded_plus_rejected_equals_read(events, mask):
    check(events, mask=mask)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recording(), st.booleans())
def test_fuzz_loaded_plus_rejected_equals_read_10k(events, mask):
    check(events, mask=mask)

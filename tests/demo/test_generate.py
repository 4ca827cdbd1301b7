"""The onboarding demo generator: determinism, valid rrweb, ground truth that matches the events.

The checks here re-read the rrweb events with small independent code (a node
mirror, scroll tracking, the friction definitions of DESIGN.md) instead of
trusting the generator's own bookkeeping.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from _widget_harness import CHROMIUM, LAUNCH_ARGS

from uxlens.demo import STORY, TRUTH_COLUMNS, app, generate, sample_path
from uxlens.exceptions import UxlensError

A_RANGE = (0.33, 0.43)
REDUCTION_RANGE = (0.12, 0.32)
INVITE = "/onboarding/invite"


@pytest.fixture(scope="module")
def demo():
    return generate(n_sessions=300, seed=7)


# --------------------------------------------------------------------------- helpers
def walk_ids(node, parent, nodes, children, attrs):
    nid = node["id"]
    assert nid not in nodes, f"duplicate node id {nid}"
    nodes[nid] = parent
    children[parent].append(nid)
    if node["type"] == 2:
        attrs[nid] = (node["tagName"], dict(node["attributes"]))
    for kid in node.get("childNodes", []):
        walk_ids(kid, nid, nodes, children, attrs)


def remove_ids(nid, nodes, children, attrs):
    for kid in children.pop(nid, []):
        remove_ids(kid, nodes, children, attrs)
    nodes.pop(nid)
    attrs.pop(nid, None)


def replay(events):
    """Walk one recording with an independent mirror; return clicks, responses, errors, moves.

    Asserts that every id an event refers to exists at that moment.
    """
    nodes: dict[int, int | None] = {}
    children: dict = defaultdict(list)
    attrs: dict[int, tuple[str, dict]] = {}
    width = height = None
    scroll = 0
    doc = None
    page = -1
    clicks, responses, errors, moves, pageviews = [], [], [], [], []
    last_t = -math.inf
    for i, ev in enumerate(events):
        t, kind, data = ev["timestamp"], ev["type"], ev["data"]
        assert t >= last_t, "events must be in time order"
        last_t = t
        if kind == 4:
            width, height = data["width"], data["height"]
            pageviews.append((t, data["href"].split("?")[0].replace(app.BASE_URL, "") or "/"))
            responses.append(t)
            continue
        if kind == 2:
            nodes, children, attrs = {}, defaultdict(list), {}
            root = data["node"]
            assert root["type"] == 0
            walk_ids(root, None, nodes, children, attrs)
            doc = root["id"]
            scroll = data["initialOffset"]["top"]
            page += 1
            html = [n for n in root["childNodes"] if n["type"] == 2][0]
            assert int(html["attributes"]["data-page-height"]) > 0
            nxt = events[i + 1]
            assert nxt["type"] == 5 and nxt["data"]["tag"] == "page_size"
            continue
        if kind in (5, 6):
            if kind == 6 and data["plugin"] == "rrweb/console@1":
                if data["payload"]["level"] == "error":
                    errors.append(t)
            elif kind == 6:
                assert data["plugin"] == "rrweb/network@1"
                for req in data["payload"]["requests"]:
                    if req["status"] >= 400:
                        errors.append(t)
            continue
        assert kind == 3, kind
        src = data["source"]
        assert doc is not None, "incremental event before the first FullSnapshot"
        if src == 0:
            for rem in data["removes"]:
                assert nodes.get(rem["id"], "missing") == rem["parentId"]
                remove_ids(rem["id"], nodes, children, attrs)
            for add in data["adds"]:
                assert add["parentId"] in nodes
                assert add["nextId"] is None or add["nextId"] in nodes
                walk_ids(add["node"], add["parentId"], nodes, children, attrs)
            for change in data["attributes"]:
                assert change["id"] in nodes
                tag, a = attrs[change["id"]]
                for k, v in change["attributes"].items():
                    if v is None:
                        a.pop(k, None)
                    else:
                        a[k] = v
            for text in data["texts"]:
                assert text["id"] in nodes
            responses.append(t)
        elif src in (1, 6):
            assert data["positions"]
            for pos in data["positions"]:
                assert pos["id"] in nodes
                assert pos["timeOffset"] <= 0
                assert 0 <= pos["x"] < width and 0 <= pos["y"] < height, (pos, width, height)
                if src == 1:
                    moves.append((t + pos["timeOffset"], pos["x"], page))
        elif src == 2:
            assert data["id"] in nodes
            if data["type"] in (0, 1, 2, 4, 7, 9):
                assert isinstance(data["x"], int) and isinstance(data["y"], int)
                assert 0 <= data["x"] < width and 0 <= data["y"] < height
            if data["type"] == 2:
                tag, a = attrs[data["id"]]
                clicks.append({"t": t, "x": data["x"], "y": data["y"] + scroll, "tag": tag,
                               "element": a.get("id", ""), "page": page,
                               "disabled": a.get("aria-disabled") == "true"})
        elif src == 3:
            assert data["id"] == doc
            scroll = data["y"]
            responses.append(t)
        elif src == 4:
            width, height = data["width"], data["height"]
        elif src == 5:
            assert data["id"] in nodes and isinstance(data["text"], str)
        elif src == 14:
            for rng in data["ranges"]:
                assert rng["start"] in nodes and rng["end"] in nodes
            responses.append(t)
        else:
            raise AssertionError(f"unexpected source {src}")
    return {"clicks": clicks, "responses": sorted(responses), "errors": sorted(errors),
            "moves": sorted(moves), "pageviews": pageviews}


def derive(session_id, walked):
    """Rage, dead and error clicks and quick backs by DESIGN.md's definitions."""
    out = set()
    clicks = walked["clicks"]
    chain = []
    for c in clicks + [None]:
        if c is not None and chain and c["page"] == chain[-1]["page"] and \
                c["t"] - chain[-1]["t"] <= 1000 and \
                math.hypot(c["x"] - chain[-1]["x"], c["y"] - chain[-1]["y"]) <= 30:
            chain.append(c)
            continue
        if len(chain) >= 3:
            out.add((session_id, "rage_click", chain[0]["t"]))
        chain = [c]
    for c in clicks:
        if c["tag"] != "a" and not any(c["t"] < r <= c["t"] + 2500
                                       for r in walked["responses"]):
            out.add((session_id, "dead_click", c["t"]))
        if any(c["t"] < e <= c["t"] + 1000 for e in walked["errors"]):
            out.add((session_id, "error_click", c["t"]))
    pv = walked["pageviews"]
    for a, b, c in zip(pv, pv[1:], pv[2:]):
        if a[1] == c[1] != b[1] and c[0] - b[0] <= 10_000:
            out.add((session_id, "quick_back", c[0]))
    return out


def fast_reversals(moves, min_step=2, min_speed=300):
    """Times where the pointer turns horizontally between two legs faster than ``min_speed``."""
    legs = []  # (sign, t_start, x_start, t_end, x_end, page)
    for a, b in zip(moves, moves[1:]):
        dx = b[1] - a[1]
        if a[2] != b[2] or abs(dx) < min_step:
            continue
        sign = 1 if dx > 0 else -1
        if legs and legs[-1][0] == sign and legs[-1][5] == a[2] and legs[-1][3] == a[0]:
            legs[-1] = (sign, legs[-1][1], legs[-1][2], b[0], b[1], a[2])
        else:
            legs.append((sign, a[0], a[1], b[0], b[1], a[2]))

    def speed(leg):
        return abs(leg[4] - leg[2]) / max(1, leg[3] - leg[1]) * 1000

    return [b[1] for a, b in zip(legs, legs[1:])
            if a[0] != b[0] and a[5] == b[5] and b[1] - a[3] <= 100
            and speed(a) >= min_speed and speed(b) >= min_speed]


def truth_set(gt, kinds):
    sub = gt[gt["kind"].isin(kinds)]
    ms = sub["timestamp"].astype("int64") // 1_000_000
    return set(zip(sub["session_id"], sub["kind"], ms.astype(int)))


def story_from_events(recordings):
    """Drop at invite per version from the raw events: identify, Meta hrefs, invite_sent."""
    reach = {"A": 0, "B": 0}
    sent = {"A": 0, "B": 0}
    for rec in recordings:
        events = rec["events"]
        version = events[0]["data"]["payload"]["version"]
        hrefs = [e["data"]["href"] for e in events if e["type"] == 4]
        if any(h.endswith(INVITE) for h in hrefs):
            reach[version] += 1
            if any(e["type"] == 5 and e["data"]["tag"] == "invite_sent" for e in events):
                sent[version] += 1
    drop = {v: 1 - sent[v] / reach[v] for v in reach}
    return drop, 1 - drop["B"] / drop["A"]


# --------------------------------------------------------------------------- determinism
def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = _digest(generate(n_sessions=25, seed=11, path=tmp_path / "a").write(tmp_path / "a"))
    b = _digest(generate(n_sessions=25, seed=11).write(tmp_path / "b"))
    c = _digest(generate(n_sessions=25, seed=12).write(tmp_path / "c"))
    assert a == b
    assert set(a) == {"recordings.jsonl.gz", "ground_truth.csv", "sessions.csv", "manifest.json"}
    assert a["recordings.jsonl.gz"] != c["recordings.jsonl.gz"]


def test_output_does_not_depend_on_hash_seed(tmp_path):
    code = ("import sys, hashlib; from uxlens.demo import generate; "
            "d = generate(n_sessions=12, seed=5, path=sys.argv[1]); "
            "print(hashlib.sha256(open(sys.argv[1] + '/recordings.jsonl.gz', 'rb').read())"
            ".hexdigest())")
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path / hash_seed)], env=env,
                             capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


@pytest.mark.parametrize("bad", [0, -3, 2.5, "300", True])
def test_bad_n_sessions_is_a_clear_error(bad):
    with pytest.raises(UxlensError, match="n_sessions must be a positive integer"):
        generate(n_sessions=bad)


def test_bad_seed_is_a_clear_error():
    with pytest.raises(UxlensError, match="seed must be an integer"):
        generate(n_sessions=3, seed="7")


# --------------------------------------------------------------------------- rrweb structure
def test_every_recording_is_valid_rrweb(demo):
    for rec in demo.recordings:
        events = rec["events"]
        first = events[0]
        assert first["type"] == 5 and first["data"]["tag"] == "identify"
        payload = first["data"]["payload"]
        assert payload["user_id"] == rec["user_id"]
        assert payload["source"] in {"paid", "organic", "email", "referral"}
        assert payload["version"] in {"A", "B"} and isinstance(payload["is_returning"], bool)
        assert payload["plan"] in {"free", "team", "business"}
        assert events[1]["type"] == 4 and events[2]["type"] == 2
        replay(events)  # asserts ids, offsets, coordinates, order


def test_sessions_cover_devices_sources_and_durations(demo):
    s = demo.sessions
    assert set(s["device"]) == {"desktop", "tablet", "mobile"}
    assert {(w, h) for w, h in zip(s["width"], s["height"])} == {
        vp for vps in app.VIEWPORTS.values() for vp in vps}
    assert set(s["source"]) == {"paid", "organic", "email", "referral"}
    assert 0.15 < s["is_returning"].mean() < 0.5
    assert s["user_id"].nunique() < len(s)  # some users come back
    assert s["duration_s"].between(30, 600).all()
    assert abs((s["version"] == "A").mean() - 0.5) < 0.1
    for rec, dur in zip(demo.recordings, s["duration_s"]):
        ev = rec["events"]
        assert (ev[-1]["timestamp"] - ev[0]["timestamp"]) / 1000 == dur
    start = pd.Timestamp("2026-10-05", tz="UTC")
    assert (s["start"] >= start).all() and (s["end"] < start + pd.Timedelta(days=7)).all()


def test_touch_devices_tap_and_desktops_move_the_mouse(demo):
    for rec, device in zip(demo.recordings, demo.sessions["device"]):
        sources = {(e["data"]["source"], e["data"].get("type")) for e in rec["events"]
                   if e["type"] == 3}
        if device == "desktop":
            assert (7, None) not in sources and not any(s == 2 and k in (7, 9)
                                                        for s, k in sources)
        else:
            assert not any(s == 1 for s, _ in sources)
            if any(s == 2 and k == 2 for s, k in sources):
                assert (2, 7) in sources and (2, 9) in sources


def test_mouse_moves_are_batched_like_rrweb(demo):
    sizes, spans = [], []
    for rec in demo.recordings[:80]:
        for e in rec["events"]:
            if e["type"] == 3 and e["data"]["source"] == 1:
                pos = e["data"]["positions"]
                sizes.append(len(pos))
                spans.append(pos[-1]["timeOffset"] - pos[0]["timeOffset"])
                gaps = [b["timeOffset"] - a["timeOffset"] for a, b in zip(pos, pos[1:])]
                assert all(g >= 0 for g in gaps)
    assert max(spans) < 500 and max(sizes) <= 12
    assert 4 <= sum(sizes) / len(sizes) <= 11


# --------------------------------------------------------------------------- ground truth
def test_ground_truth_table_shape(demo):
    gt = demo.ground_truth
    assert list(gt.columns) == TRUTH_COLUMNS
    assert str(gt["timestamp"].dtype) == "datetime64[ns, UTC]"
    kinds = set(gt["kind"])
    assert {"rage_click", "dead_click", "error_click", "dropped_at_invite",
            "space_separated_emails", "quick_back", "thrashed_cursor", "screen_state",
            "version", "converted", "scroll_heavy", "console_error", "failed_request",
            "form_abandoned"} <= kinds
    assert gt.groupby("kind").size()["version"] == 300
    assert set(gt["session_id"]) == {r["session_id"] for r in demo.recordings}


def test_friction_truth_equals_independent_derivation(demo):
    derived = set()
    for rec in demo.recordings:
        derived |= derive(rec["session_id"], replay(rec["events"]))
    kinds = ["rage_click", "dead_click", "error_click", "quick_back"]
    assert truth_set(demo.ground_truth, kinds) == derived


def test_each_rage_click_is_three_or_more_clicks_on_send_invites(demo):
    gt = demo.ground_truth
    rage = gt[gt["kind"] == "rage_click"]
    assert len(rage) >= 20
    assert set(rage["element"]) == {"#send-invites"}
    by_id = {r["session_id"]: r["events"] for r in demo.recordings}
    for row in rage.itertuples():
        t0 = row.timestamp.value // 1_000_000
        walked = replay(by_id[row.session_id])
        burst = [c for c in walked["clicks"] if t0 <= c["t"] <= t0 + 1000 * 6
                 and c["element"] == "send-invites"]
        chain = [burst[0]]
        for c in burst[1:]:
            if c["t"] - chain[-1]["t"] <= 1000:
                chain.append(c)
        n = int(row.detail.split("=")[1])
        assert len(chain) >= n >= 3
        assert all(c["disabled"] for c in chain[:n])
        assert max(c["t"] for c in chain[:n]) - t0 <= 1000 * (n - 1)
        assert max(math.hypot(c["x"] - chain[0]["x"], c["y"] - chain[0]["y"])
                   for c in chain[:n]) <= 30


def test_decoy_clicks_are_dead(demo):
    gt = demo.ground_truth
    decoy = gt[(gt["kind"] == "dead_click") & (gt["detail"] == "decoy")]
    assert len(decoy) >= 15
    assert set(decoy["element"]) == {"#demo-video"} and set(decoy["url"]) == {"/"}
    box = app.layout("landing", "A", 1440, 900).boxes["demo-video"]
    assert box.tag == "img"


def test_thrashed_cursor_rows_match_the_mouse_path(demo):
    gt = demo.ground_truth
    thrash = gt[gt["kind"] == "thrashed_cursor"]
    assert len(thrash) >= 3
    flagged = set()
    for rec in demo.recordings:
        moves = replay(rec["events"])["moves"]
        for i, t in enumerate(reversals := fast_reversals(moves)):
            if sum(t <= u <= t + 1000 for u in reversals[i:]) >= 5:
                flagged.add((rec["session_id"], t))
    planted = [(r.session_id, r.timestamp.value // 1_000_000) for r in thrash.itertuples()]
    for sid, t in flagged:  # no thrash that was not planted
        assert any(sid == s and p <= t <= p + 2000 for s, p in planted), (sid, t)
    for s, p in planted:  # every planted thrash is there
        assert any(sid == s and p <= t <= p + 2000 for sid, t in flagged), (s, p)


def test_screen_states_follow_page_loads_and_the_modal(demo):
    gt = demo.ground_truth
    states = gt[gt["kind"] == "screen_state"]
    assert {"landing", "pricing", "signup", "profile", "invite:A", "invite:B", "dashboard",
            "dashboard:welcome-modal"} <= set(states["detail"])
    by_id = {r["session_id"]: r["events"] for r in demo.recordings}
    for sid, rows in states.groupby("session_id"):
        events = by_id[sid]
        metas = {e["timestamp"] for e in events if e["type"] == 4}
        adds = {e["timestamp"] for e in events if e["type"] == 3 and e["data"]["source"] == 0
                and any(a["node"].get("attributes", {}).get("id") == "welcome-modal"
                        for a in e["data"]["adds"])}
        removes = {e["timestamp"] for e in events if e["type"] == 3 and e["data"]["source"] == 0
                   and e["data"]["removes"]}
        times = rows["timestamp"].astype("int64") // 1_000_000
        on_load = set(times[rows["element"].str.startswith("#page-")])
        assert metas <= on_load
        assert set(times[rows["detail"] == "dashboard:welcome-modal"]) == adds
        closed = set(times[rows["element"].eq("#page-dashboard")]) - metas
        assert closed <= removes


def test_invite_page_versions_differ_in_the_dom(demo):
    def elements(node, out):
        if node["type"] == 2:
            out[node["attributes"].get("id", "")] = node
        elif node["type"] == 3 and not node.get("isStyle"):
            out.setdefault("#text", []).append(node["textContent"])
        for kid in node.get("childNodes", []):
            elements(kid, out)
        return out

    def invite_snapshot(version):
        for rec in demo.recordings:
            ev = rec["events"]
            if ev[0]["data"]["payload"]["version"] != version:
                continue
            for a, b in zip(ev, ev[1:]):
                if a["type"] == 4 and a["data"]["href"].endswith(INVITE):
                    return elements(b["data"]["node"], {})
        raise AssertionError(version)

    a, b = invite_snapshot("A"), invite_snapshot("B")
    assert "invite-hint" in a and "invite-label" not in a
    assert "use comma-separated emails" in a["#text"]
    assert "invite-label" in b and "invite-hint" not in b
    assert "Add comma-separated emails" in b["#text"]
    for dom in (a, b):
        assert dom["send-invites"]["attributes"]["aria-disabled"] == "true"
        assert "is-disabled" in dom["send-invites"]["attributes"]["class"]


def test_space_separated_emails_are_typed_in_the_events(demo):
    gt = demo.ground_truth
    rows = gt[gt["kind"] == "space_separated_emails"]
    assert {"A", "B"} == set(rows["detail"])
    by_id = {r["session_id"]: r["events"] for r in demo.recordings}
    for row in rows.itertuples():
        t = row.timestamp.value // 1_000_000
        texts = [e["data"]["text"] for e in by_id[row.session_id]
                 if e["type"] == 3 and e["data"]["source"] == 5 and e["timestamp"] == t
                 and e["data"]["userTriggered"]]
        assert any(x.endswith(" ") and "@" in x for x in texts)
    # version B rewrites the spaces into commas as the user types
    formatted = [e["data"]["text"] for r in demo.recordings for e in r["events"]
                 if e["type"] == 3 and e["data"]["source"] == 5 and not e["data"]["userTriggered"]]
    assert formatted and all(x.endswith(", ") for x in formatted)


def test_drop_rows_match_sessions(demo):
    gt, s = demo.ground_truth, demo.sessions
    dropped = set(gt.loc[gt["kind"] == "dropped_at_invite", "session_id"])
    assert dropped == set(s.loc[s["reached_invite"] & ~s["invite_sent"], "session_id"])
    converted = set(gt.loc[gt["kind"] == "converted", "session_id"])
    assert converted == set(s.loc[s["converted"], "session_id"])
    spaces_a = set(gt.loc[(gt["kind"] == "space_separated_emails") & (gt["detail"] == "A"),
                          "session_id"])
    # in A, most people who drop typed spaces
    dropped_a = dropped & set(s.loc[s["version"] == "A", "session_id"])
    assert len(dropped_a & spaces_a) / len(dropped_a) > 0.5


# --------------------------------------------------------------------------- the story
def test_story_numbers_for_seed_7(demo):
    drop, reduction = story_from_events(demo.recordings)
    assert A_RANGE[0] <= drop["A"] <= A_RANGE[1]
    assert REDUCTION_RANGE[0] <= reduction <= REDUCTION_RANGE[1]
    story = demo.manifest["story"]
    assert story["A"]["drop_rate"] == pytest.approx(drop["A"], abs=1e-4)
    assert story["relative_reduction"] == pytest.approx(reduction, abs=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_story_numbers_hold_for_other_seeds(seed):
    data = generate(n_sessions=1000, seed=seed)
    drop, reduction = story_from_events(data.recordings)
    assert A_RANGE[0] <= drop["A"] <= A_RANGE[1]
    assert REDUCTION_RANGE[0] <= reduction <= REDUCTION_RANGE[1]
    assert abs(drop["A"] - STORY["A"]) < 0.02 and abs(drop["B"] - STORY["B"]) < 0.02


# --------------------------------------------------------------------------- through the reader
def test_reader_loads_demo_and_shows_the_story(demo):
    rrweb = pytest.importorskip("uxlens.io.rrweb")
    log = rrweb.read_rrweb(demo.recordings, progress=False)
    assert log.counts["rejected"] == 0
    ev = log.events
    per = ev.groupby("session_id", observed=True)
    version = per["version"].first()
    url = ev["url"].astype(str)
    reached = set(ev.loc[(ev["event"] == "pageview") & url.str.endswith(INVITE), "session_id"])
    sent = set(ev.loc[ev["event"] == "invite_sent", "session_id"])
    drop = {}
    for v in ("A", "B"):
        r = {s for s in reached if version[s] == v}
        drop[v] = 1 - len(r & sent) / len(r)
    assert drop == pytest.approx({v: demo.manifest["story"][v]["drop_rate"] for v in "AB"},
                                 abs=1e-4)
    # rage clusters on #send-invites from the reader's clicks match the ground truth
    clicks = ev[ev["event"] == "click"].sort_values(["session_id", "timestamp", "seq"])
    found = set()
    for sid, g in clicks.groupby("session_id", observed=True):
        t = g["timestamp"].astype("int64").to_numpy() // 1_000_000
        x, y = g["x"].to_numpy(), g["y"].to_numpy()
        u = g["url"].astype(str).to_numpy()
        start = 0
        for i in range(1, len(g) + 1):
            if i < len(g) and u[i] == u[i - 1] and t[i] - t[i - 1] <= 1000 and \
                    math.hypot(x[i] - x[i - 1], y[i] - y[i - 1]) <= 30:
                continue
            if i - start >= 3:
                assert "#send-invites" in str(g["target"].iloc[start])
                found.add((sid, int(t[start])))
            start = i
    gt = demo.ground_truth
    rage = gt[gt["kind"] == "rage_click"]
    assert found == set(zip(rage["session_id"], rage["timestamp"].astype("int64") // 1_000_000))


# --------------------------------------------------------------------------- committed sample
def test_sample_path_points_at_the_committed_sample():
    path = sample_path()
    if path is None:
        pytest.skip("no committed sample in this checkout")
    assert (path / "recordings.jsonl.gz").stat().st_size < 6_000_000
    assert (path / "README.md").exists()


@pytest.mark.slow
def test_committed_sample_is_what_the_generator_makes(tmp_path):
    path = sample_path()
    if path is None:
        pytest.skip("no committed sample in this checkout")
    fresh = generate(n_sessions=300, seed=7, path=tmp_path)
    for name in ("recordings.jsonl.gz", "ground_truth.csv", "sessions.csv"):
        assert (tmp_path / name).read_bytes() == (path / name).read_bytes(), (
            f"{name} differs: regenerate with python -m uxlens.demo --n 300 --seed 7 "
            "--out data-samples/onboarding")
    committed = json.loads((path / "manifest.json").read_text())
    committed.pop("uxlens_version")  # a version bump alone does not require regenerating
    assert committed == {k: v for k, v in fresh.manifest.items() if k != "uxlens_version"}
    truth = pd.read_csv(path / "ground_truth.csv", parse_dates=["timestamp"])
    assert len(truth) == len(fresh.ground_truth)
    assert (truth["timestamp"] == fresh.ground_truth["timestamp"]).all()


# --------------------------------------------------------------------------- layout in a browser
@pytest.mark.browser
def test_layout_boxes_match_chromium():
    """The boxes the simulation aims at are where Chromium draws the elements."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed")
    mismatches = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            for page_name in app.PAGES:
                for version in (("A", "B") if page_name in app.VERSIONED else ("A",)):
                    for width, height in [vp for vps in app.VIEWPORTS.values() for vp in vps]:
                        frags = ("welcome-modal", "toast-project") if page_name == "dashboard" \
                            else ()
                        page = browser.new_page(viewport={"width": width, "height": height})
                        page.set_content(app.render_html(page_name, version, fragments=frags))
                        rects = page.evaluate(
                            "() => { const o = {}; for (const el of document.querySelectorAll("
                            "'[id]')) { const r = el.getBoundingClientRect(); o[el.id] = "
                            "[r.x + scrollX, r.y + scrollY, r.width, r.height]; } "
                            "o.__h = document.documentElement.scrollHeight; return o; }")
                        page.close()
                        lay = app.layout(page_name, version, width, height)
                        boxes = dict(lay.boxes)
                        for frag in frags:
                            boxes.update(app.fragment_layout(frag, width, height))
                        for key, box in boxes.items():
                            if key in ("body", "toast-root"):
                                continue
                            r = rects[key]
                            err = max(abs(r[0] - box.x), abs(r[1] - box.y), abs(r[2] - box.w),
                                      abs(r[3] - box.h))
                            if err > 0.5:
                                mismatches.append((page_name, version, width, key, r, box))
                        if rects["__h"] != lay.page_height:
                            mismatches.append((page_name, version, width, "height",
                                               rects["__h"], lay.page_height))
        finally:
            browser.close()
    assert mismatches == []


@pytest.mark.browser
def test_rrweb_replayer_replays_the_demo_without_warnings(demo):
    """The vendored @rrweb/replay rebuilds every page and applies every mutation."""
    sync_api = pytest.importorskip("playwright.sync_api")
    vendor = Path(__file__).resolve().parents[2] / "uxlens" / "widgets" / "static" / "vendor"
    if not Path("/usr/bin/chromium").exists() or not (vendor / "rrweb-replay.js").exists():
        pytest.skip("needs Debian chromium and the vendored @rrweb/replay")
    s = demo.sessions
    picks = []
    for device in ("desktop", "tablet", "mobile"):
        for version in ("A", "B"):
            sub = s[(s["device"] == device) & (s["version"] == version) & s["converted"]]
            picks.append(sub.index[0])
    rage = demo.ground_truth[demo.ground_truth["kind"] == "rage_click"]
    picks.append(s.index[s["session_id"] == rage["session_id"].iloc[0]][0])
    page_html = (
        "<!doctype html><html><body><script type=module>"
        "import { Replayer } from 'http://replay.test/rrweb-replay.js';"
        "window.replay = (events, at) => { const warnings = []; document.body.innerHTML = '';"
        "const r = new Replayer(events, {root: document.body, showWarning: true,"
        " logger: {warn: (...a) => warnings.push(a.map(String).join(' ')), log: () => {}}});"
        "r.pause(at); const d = document.querySelector('iframe').contentDocument;"
        "return {warnings, modal: !!d.getElementById('welcome-dialog'),"
        " button: d.getElementById('send-invites')?.getAttribute('aria-disabled') ?? ''}; };"
        "window.ready = true;</script></body></html>")

    def route(r):
        if r.request.url.endswith("rrweb-replay.js"):
            r.fulfill(body=(vendor / "rrweb-replay.js").read_text(),
                      content_type="text/javascript")
        elif r.request.url.endswith("/page"):
            r.fulfill(body=page_html, content_type="text/html")
        else:
            r.abort()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", route)
            page.goto("http://replay.test/page")
            page.wait_for_function("window.ready === true")
            for i in picks:
                events = demo.recordings[i]["events"]
                t0 = events[0]["timestamp"]
                end = page.evaluate("([e, at]) => window.replay(e, at)",
                                    [events, events[-1]["timestamp"] - t0])
                assert end["warnings"] == [], demo.recordings[i]["session_id"]
                adds = [e["timestamp"] for e in events if e["type"] == 3 and
                        e["data"]["source"] == 0 and any(
                            a["node"].get("attributes", {}).get("id") == "welcome-modal"
                            for a in e["data"]["adds"])]
                if adds:
                    mid = page.evaluate("([e, at]) => window.replay(e, at)",
                                        [events, adds[0] - t0 + 200])
                    assert mid["modal"] and mid["warnings"] == []
        finally:
            browser.close()


def test_ux_demo_stays_callable_after_the_subpackage_is_imported():
    import uxlens as ux
    import uxlens.demo

    assert callable(ux.demo) and callable(uxlens.demo)
    log = ux.demo()
    assert ux.demo() is log  # cached, and still a call after the import rebinding

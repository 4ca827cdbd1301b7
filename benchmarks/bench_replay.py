"""Replay player speed (issue 6): time to first frame and bytes sent for a long recording.

The recording is synthetic but built on a real page: the first full snapshot of
the demo session with the largest DOM (``uxlens.demo()``), followed by 30
minutes of incremental events (``--events``, default 50,000) in bursts with a
few idle pauses: mouse-move batches, scrolls, clicks (mousedown/mouseup/click),
typed inputs, and DOM mutations (attribute and text changes on existing nodes,
nodes added then removed later), all referencing nodes of that snapshot.

Lines printed (best of ``--repeat``):

- **payload build**: ``ReplayWidget(session)`` in Python (sanitise, markers,
  idle spans, gzip of the events); ``read_rrweb`` of the list is shown too;
- **first frame**: in Debian chromium (Playwright), from the moment the
  player's ``render()`` is called to the moment the recorded page's DOM is in
  the replay iframe. The page is the replay tests' harness
  (``tests/replay/_harness.py``: ``replay.js`` with a fake anywidget model,
  served from memory); the time it takes the harness to fetch and base64-decode
  its state (a Jupyter comm sends the bytes as raw binary buffers) is outside
  the measure and printed separately as "page open to first frame";
- **bytes sent**: the widget's synced state as Jupyter sends it (bytes traits
  as binary buffers, the rest as JSON), i.e. ``_events`` + ``_info`` + the
  vendored replayer ``_rrweb`` + small traits, plus the front-end code
  (``_esm``, ``_css``), vs the raw JSON of the recording.

Run from the repository root: ``python benchmarks/bench_replay.py``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# the browser harness of the replay tests (a plain module, no pytest needed)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "replay"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # _widget_harness

from _harness import CHROMIUM, LAUNCH_ARGS, open_harness, widget_state

from benchmarks._common import best_of, peak_rss_gib
from uxlens.io.rrweb import read_rrweb
from uxlens.widgets.replay import ReplayWidget

TARGET_S = 1.5
TARGET_SHARE = 0.30
DURATION_MS = 30 * 60 * 1000

# Records when the harness hands the model to the player (it sets window.__model
# right before widget.render) and, every animation frame, whether the replay
# iframe holds the recorded page yet.
_TIMING_JS = """
(() => {
  let model;
  Object.defineProperty(window, "__model", {
    configurable: true,
    get() { return model; },
    set(v) {
      model = v;
      window.__t_render = performance.now();
      const tick = () => {
        const f = document.querySelector(".uxl-stage iframe");
        const d = f && f.contentDocument;
        if (window.__t_frame === undefined && d && d.body && d.body.childElementCount > 0) {
          window.__t_frame = performance.now();
        }
        if (window.__t_ready === undefined && model.get("status") === "ready") {
          window.__t_ready = performance.now();
        }
        if (window.__t_frame === undefined || window.__t_ready === undefined) {
          requestAnimationFrame(tick);
        }
      };
      requestAnimationFrame(tick);
    },
  });
})();
"""


# ------------------------------------------------------------------ recording
def _walk(node: dict[str, Any], out: dict[str, list], in_body: bool = False) -> None:
    tag = node.get("tagName", "")
    in_body = in_body or tag == "body"
    if node.get("type") == 2 and in_body:
        out["elements"].append(node["id"])
        if tag in ("input", "textarea"):
            out["inputs"].append(node["id"])
        if tag in ("div", "section", "main", "ul", "form"):
            out["containers"].append(node["id"])
    if node.get("type") == 3 and in_body and node.get("textContent", "").strip():
        out["texts"].append(node["id"])
    out["max_id"] = max(out["max_id"], node.get("id", 0))
    for child in node.get("childNodes", []):
        _walk(child, out, in_body)


def synthetic_recording(n_events: int = 50_000, seed: int = 0) -> list[dict[str, Any]]:
    """A 30-minute rrweb recording of ``n_events`` (+ the head) on a real demo page."""
    import uxlens

    recordings = uxlens.demo().recordings

    def snapshot_size(events: list[dict]) -> int:
        return max((len(json.dumps(e)) for e in events if e["type"] == 2), default=0)

    source = max(recordings.values(), key=snapshot_size)
    i_snap = next(i for i, e in enumerate(source) if e["type"] == 2)
    head = [dict(e) for e in source[: i_snap + 1]]
    nodes: dict[str, Any] = {"elements": [], "inputs": [], "containers": [], "texts": [],
                             "max_id": 0}
    _walk(head[-1]["data"]["node"], nodes)
    width = next(e["data"]["width"] for e in head if e["type"] == 4)
    page_h = 3000

    rng = random.Random(seed)
    t0 = head[-1]["timestamp"]
    # 30 minutes of activity: bursts, with idle pauses (a few over the 5 s threshold).
    gaps = [rng.expovariate(1 / 20) for _ in range(n_events)]
    for i in rng.sample(range(n_events), 40):
        gaps[i] = rng.uniform(6_000, 20_000)
    scale = (DURATION_MS - 1) / sum(gaps)
    t = float(t0)
    out = list(head)
    x, y, scroll = width / 2, 400.0, 0
    added: list[int] = []
    next_id = nodes["max_id"] + 1
    kinds = ["move"] * 45 + ["scroll"] * 15 + ["click"] * 10 + ["input"] * 10 + ["mutation"] * 20
    for gap in gaps:
        t += gap * scale
        ts = int(t)
        kind = rng.choice(kinds)
        if kind == "move":
            positions = []
            for k in range(5, 0, -1):
                x = min(max(x + rng.uniform(-40, 40), 0), width - 1)
                y = min(max(y + rng.uniform(-30, 30), 0), 799)
                positions.append({"x": round(x), "y": round(y), "id": rng.choice(nodes["elements"]),
                                  "timeOffset": -k * 50})
            data: dict[str, Any] = {"source": 1, "positions": positions}
        elif kind == "scroll":
            scroll = min(max(scroll + rng.choice([-1, 1]) * rng.randint(20, 200), 0), page_h)
            data = {"source": 3, "id": 1, "x": 0, "y": scroll}
        elif kind == "click":
            data = {"source": 2, "type": rng.choice([1, 0, 2]), "id": rng.choice(nodes["elements"]),
                    "x": round(x), "y": round(y), "pointerType": 0}
        elif kind == "input" and nodes["inputs"]:
            text = "".join(rng.choice("abcdefghij ") for _ in range(rng.randint(1, 24)))
            data = {"source": 5, "id": rng.choice(nodes["inputs"]), "text": text,
                    "isChecked": False, "userTriggered": True}
        else:
            data = {"source": 0, "adds": [], "removes": [], "texts": [], "attributes": []}
            r = rng.random()
            if r < 0.4:
                data["attributes"].append({"id": rng.choice(nodes["elements"]),
                                           "attributes": {"class": f"state-{rng.randint(0, 9)}"}})
            elif r < 0.7:
                data["texts"].append({"id": rng.choice(nodes["texts"]),
                                      "value": f"Updated {rng.randint(0, 10**6)}"})
            elif r < 0.85 or not added:
                parent = rng.choice(nodes["containers"])
                data["adds"].append({"parentId": parent, "nextId": None, "node": {
                    "type": 2, "tagName": "div", "id": next_id,
                    "attributes": {"class": "toast"}, "childNodes": [
                        {"type": 3, "id": next_id + 1, "textContent": "Saved"}]}})
                added.append((parent, next_id))
                next_id += 2
            else:
                parent, node_id = added.pop(rng.randrange(len(added)))
                data["removes"].append({"parentId": parent, "id": node_id})
        out.append({"type": 3, "timestamp": ts, "data": data})
    out[-1]["timestamp"] = t0 + DURATION_MS
    return out


# ------------------------------------------------------------------ measures
def synced_bytes(widget: ReplayWidget) -> dict[str, int]:
    """Bytes of every synced trait as a Jupyter comm sends it (bytes raw, the rest JSON)."""
    sizes = {}
    for name, value in widget.get_state().items():
        if isinstance(value, bytes | bytearray | memoryview):
            sizes[name] = len(value)
        else:
            sizes[name] = len(json.dumps(value, separators=(",", ":")).encode())
    return sizes


def first_frame(browser: Any, state: dict[str, Any]) -> tuple[float, float, float, str]:
    """Seconds render -> first frame, page open -> first frame, render -> ready; frame text."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    try:
        ctx.add_init_script(_TIMING_JS)
        h = open_harness(ctx, state)
        h.page.wait_for_function("window.__t_ready && window.__t_frame", timeout=60_000, polling=50)
        t_render, t_frame, t_ready = h.page.evaluate(
            "[window.__t_render, window.__t_frame, window.__t_ready]")
        text = h.replay_text()
        if h.errors or h.outside:
            raise RuntimeError(f"player errors {h.errors}, requests {h.outside}")
        return (t_frame - t_render) / 1000, t_frame / 1000, (t_ready - t_render) / 1000, text
    finally:
        ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    events = synthetic_recording(args.events, args.seed)
    raw = len(json.dumps(events, separators=(",", ":")).encode())
    minutes = (events[-1]["timestamp"] - events[0]["timestamp"]) / 60_000
    print(f"recording: {len(events):,} rrweb events over {minutes:.1f} min, "
          f"raw JSON {raw / 1e6:.2f} MB (compact)", flush=True)

    t_read, log = best_of(lambda: read_rrweb(events), args.repeat)
    session = log.session(log.session_ids[0])
    t_build, widget = best_of(lambda: ReplayWidget(session, skip_inactive=False), args.repeat)
    print(f"python: read_rrweb {t_read:.3f} s; payload build (ReplayWidget) {t_build:.3f} s; "
          f"peak RSS {peak_rss_gib():.2f} GiB", flush=True)
    if widget.warnings:
        print(f"  player warnings: {widget.warnings}")

    sizes = synced_bytes(widget)
    state_b = sum(v for k, v in sizes.items() if k not in ("_esm", "_css"))
    total_b = sum(sizes.values())
    big = ", ".join(f"{k} {sizes[k] / 1e3:.0f} kB" for k in ("_events", "_chunks", "_info",
                                                             "_rrweb", "_esm", "_css"))
    share_events = (sizes["_events"] + sizes["_chunks"] + sizes["_info"]) / raw
    share_all = total_b / raw
    ok = "met" if share_all < TARGET_SHARE else "NOT met"
    print(f"bytes sent: {total_b / 1e6:.3f} MB of {raw / 1e6:.2f} MB raw = {share_all:.1%} "
          f"(target < {TARGET_SHARE:.0%}: {ok}); {big}; synced state without code "
          f"{state_b / 1e6:.3f} MB; recording-dependent (_events + _chunks + _info) {share_events:.1%}",
          flush=True)

    from playwright.sync_api import sync_playwright

    state = widget_state(widget)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            runs = []
            for _ in range(args.repeat):
                runs.append(first_frame(browser, state))
        finally:
            browser.close()
    render_s = min(r[0] for r in runs)
    open_s = min(r[1] for r in runs)
    ready_s = min(r[2] for r in runs)
    text = " ".join(runs[-1][3].split())[:60]
    ok = "met" if render_s < TARGET_S else "NOT met"
    print(f"first frame: render -> recorded page in the iframe {render_s:.3f} s "
          f"(target < {TARGET_S:g} s: {ok}); runs "
          + ", ".join(f"{r[0]:.3f}" for r in runs)
          + f"; render -> player ready (timeline, panel) {ready_s:.3f} s; page open -> first "
          f"frame {open_s:.3f} s; frame text: {text!r}", flush=True)
    print(f"peak RSS (Python) {peak_rss_gib():.2f} GiB; "
          f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC")


if __name__ == "__main__":
    main()

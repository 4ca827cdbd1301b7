// uxlens replay player: the front end of uxlens.widgets.replay.ReplayWidget.
//
// Python decides what to show (sanitised rrweb events, markers, inactive spans,
// console and network rows); this module only renders and reports what the
// user does (current time, clicked marker, play state) back through the model.
//
// Model keys (see replay.py): _rrweb (gzip'd vendored @rrweb/replay ES module),
// _events (gzip'd JSON array: the head of the sanitised rrweb events, up to the
// first full snapshot plus a few seconds), _chunks (the rest: gzip'd JSON arrays
// end to end, byte sizes in _info.chunks[1:]), _info (dict), speed,
// skip_inactive, playing, current_ms, selected, _seek, index, status,
// export_request (out: {action: "deck" | "image", path, t_ms, nonce}), export_path, export_message.
//
// Chunks: the replayer starts from the head; every later chunk is decoded in
// the background and appended with replayer.addEvent, so playback starts before
// the whole recording is decoded. If playback catches up with what is decoded,
// it waits ("stalled") and resumes when the next chunk is in.
//
// Safety: the rrweb Replayer rebuilds the page in an iframe sandboxed with
// "allow-same-origin" only (no scripts). Before anything is rebuilt we add a
// Content-Security-Policy <meta> to that iframe's document, so the recorded
// page cannot fetch anything either (the policy stays with the document when
// the replayer re-opens it for each full snapshot).

const SPEEDS = [1, 2, 4, 8];
const ISSUE_KINDS = new Set(["rage", "dead", "error_click", "error", "network"]);
const KIND_LABEL = {
  click: "click",
  rage: "rage click",
  dead: "dead click",
  error_click: "error click",
  error: "error",
  network: "failed request",
  page: "page",
  custom: "event",
};
const LEAD_MS = 1000; // seek a little before a marker so the lead-up is visible
const REPORT_EVERY_MS = 250;

let rrwebModule = null; // one import per page, shared by every player

function bytesOf(value) {
  if (!value) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "string") return new TextEncoder().encode(value);
  return new Uint8Array(0);
}

async function gunzip(value) {
  const bytes = bytesOf(value);
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function loadRrweb(model) {
  if (!rrwebModule) {
    rrwebModule = (async () => {
      const code = new TextDecoder().decode(await gunzip(model.get("_rrweb")));
      const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
      try {
        return await import(/* webpackIgnore: true */ url);
      } finally {
        URL.revokeObjectURL(url);
      }
    })();
    rrwebModule.catch(() => {
      rrwebModule = null;
    });
  }
  return rrwebModule;
}

// The replayer builds its sandboxed iframe inside our element, which must be in
// the document by then; some front ends call render() before attaching it.
async function whenConnected(node, timeoutMs = 10000) {
  const t0 = performance.now();
  while (!node.isConnected) {
    if (performance.now() - t0 > timeoutMs) throw new Error("the player was never attached to the page");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c) el.append(c);
  return el;
}

function fmt(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, "0")}`;
}

// Put the CSP in the replay document before the first rebuild; also make sure
// the frame never gains allow-scripts.
function lockDown(iframe, csp) {
  const sandbox = iframe.getAttribute("sandbox") || "";
  if (sandbox.split(/\s+/).includes("allow-scripts")) {
    throw new Error("uxlens: refusing to replay in a frame that allows scripts");
  }
  iframe.setAttribute("referrerpolicy", "no-referrer");
  const doc = iframe.contentDocument;
  if (!doc || !csp) return;
  const meta = doc.createElement("meta");
  meta.setAttribute("http-equiv", "Content-Security-Policy");
  meta.setAttribute("content", csp);
  const head = doc.head || doc.documentElement || doc;
  head.insertBefore(meta, head.firstChild);
}

function render({ model, el }) {
  // ------------------------------------------------------------------ DOM
  const ui = {};
  ui.root = h("div", { class: "uxl-replay", tabindex: "0", "aria-label": "Session replay" });
  ui.title = h("span", { class: "uxl-title" });
  ui.url = h("span", { class: "uxl-url", title: "page at the current time" });
  ui.size = h("span", { class: "uxl-size" });
  ui.prevSession = h("button", { class: "uxl-btn uxl-prev-session", title: "previous session ([)", text: "‹" });
  ui.nextSession = h("button", { class: "uxl-btn uxl-next-session", title: "next session (])", text: "›" });
  ui.playlist = h("span", { class: "uxl-playlist" }, ui.prevSession, h("span", { class: "uxl-pos" }), ui.nextSession);
  ui.header = h("div", { class: "uxl-header" }, ui.playlist, ui.title, ui.url, ui.size);
  ui.warnings = h("div", { class: "uxl-warnings", role: "status" });
  ui.stage = h("div", { class: "uxl-stage" });
  ui.screen = h("div", { class: "uxl-screen" }, ui.stage);
  ui.toast = h("div", { class: "uxl-toast" });
  ui.screen.append(ui.toast);
  ui.track = h("div", { class: "uxl-track", title: "click to seek" });
  ui.progress = h("div", { class: "uxl-progress" });
  ui.handle = h("div", { class: "uxl-handle" });
  ui.track.append(ui.progress, ui.handle);
  ui.timeline = h("div", { class: "uxl-timeline" }, ui.track);
  ui.play = h("button", { class: "uxl-btn uxl-play", title: "play / pause (space)", text: "▶" });
  ui.time = h("span", { class: "uxl-time", text: "0:00 / 0:00" });
  ui.speeds = h("span", { class: "uxl-speeds" });
  for (const s of SPEEDS) {
    ui.speeds.append(h("button", { class: "uxl-btn uxl-speed", "data-speed": s, title: `speed ${s}x (${s})`, text: `${s}x` }));
  }
  ui.skip = h("input", { type: "checkbox", class: "uxl-skip-box" });
  ui.skipLabel = h("label", { class: "uxl-skip", title: "skip inactivity (s)" }, ui.skip, document.createTextNode(" skip idle"));
  ui.prevIssue = h("button", { class: "uxl-btn uxl-prev-issue", title: "previous friction or error (p)", text: "‹ issue" });
  ui.nextIssue = h("button", { class: "uxl-btn uxl-next-issue", title: "next friction or error (n)", text: "issue ›" });
  ui.controls = h(
    "div",
    { class: "uxl-controls" },
    ui.play,
    ui.time,
    ui.speeds,
    ui.skipLabel,
    ui.prevIssue,
    ui.nextIssue,
  );
  ui.exportPath = h("input", {
    class: "uxl-export-path", type: "text", title: "image file to write",
    onkeydown: (ev) => ev.stopPropagation(), // typing here is not a player shortcut
  });
  ui.exportPath.value = model.get("export_path") || "replay.png";
  ui.exportPath.addEventListener("change", () => { model.set("export_path", ui.exportPath.value); model.save_changes(); });
  ui.exportMsg = h("span", { class: "uxl-export-msg" });
  ui.toDeck = h("button", { class: "uxl-btn uxl-to-deck", title: "add a still of this frame to the deck", text: "Add to deck" });
  ui.saveImage = h("button", { class: "uxl-btn uxl-save-image", title: "save this frame as a PNG", text: "Save image" });
  ui.export = h("div", { class: "uxl-export" }, ui.toDeck, ui.saveImage, ui.exportPath, ui.exportMsg);
  ui.main = h("div", { class: "uxl-main" }, ui.header, ui.warnings, ui.screen, ui.timeline, ui.controls, ui.export);
  ui.tabs = h("div", { class: "uxl-tabs" });
  ui.lists = h("div", { class: "uxl-lists" });
  ui.side = h("div", { class: "uxl-side" }, ui.tabs, ui.lists);
  ui.root.append(ui.main, ui.side);
  el.append(ui.root);

  // --------------------------------------------------------------- state
  let replayer = null;
  let info = {};
  let start = 0; // epoch ms of the first replayed event
  let total = 0; // ms
  let markers = [];
  let clicks = [];
  let inactive = [];
  let pages = [];
  let rows = { console: [], network: [] };
  let rowEls = { console: [], network: [] };
  let activeTab = "console";
  let lastT = 0;
  let lastReport = 0;
  let reported = -1;
  let raf = 0;
  let disposed = false;
  let loadToken = 0;
  let dragging = false;
  let ended = false;
  let pendingChunks = 0; // later chunks not yet appended to the replayer
  let stalled = false; // playback reached the end of what is decoded so far
  let decodedEnd = 0; // ms from start: the last decoded event
  let playFrom = 0; // where playback last (re)started: a seek may land past decodedEnd
  let stallAt = 0; // where a stalled player waits

  const setStatus = (s) => {
    ui.root.dataset.status = s;
    if (model.get("status") !== s) {
      model.set("status", s);
      model.save_changes();
    }
  };

  const isPlaying = () => !!replayer && replayer.service.state.matches("playing");
  const now = () => (replayer ? Math.min(Math.max(replayer.getCurrentTime(), 0), total) : 0);

  function report(t, force = false) {
    const ms = Math.round(t);
    const clock = performance.now();
    if (!force && (clock - lastReport < REPORT_EVERY_MS || ms === reported)) return;
    lastReport = clock;
    reported = ms;
    model.set("current_ms", ms);
    model.save_changes();
  }

  function setPlayingTrait(value) {
    if (model.get("playing") !== value) {
      model.set("playing", value);
      model.save_changes();
    }
  }

  function seek(t, { keepPlaying = true } = {}) {
    if (!replayer) return;
    t = Math.min(Math.max(t, 0), total);
    ended = false;
    playFrom = t;
    if (keepPlaying && (isPlaying() || stalled)) replayer.play(t);
    else replayer.pause(t);
    stalled = false;
    lastT = t;
    paint(t);
    report(t, true);
  }

  function play() {
    if (!replayer) return;
    let t = now();
    if (ended || t >= total - 1) t = 0;
    ended = false;
    stalled = false;
    playFrom = t;
    replayer.play(t);
    lastT = t;
    ui.play.textContent = "❚❚";
    ui.root.classList.add("uxl-playing");
    setPlayingTrait(true);
  }

  function pause() {
    if (!replayer) return;
    stalled = false;
    if (isPlaying()) replayer.pause();
    ui.play.textContent = "▶";
    ui.root.classList.remove("uxl-playing");
    setPlayingTrait(false);
    report(now(), true);
  }

  function toast(text) {
    ui.toast.textContent = text;
    ui.toast.classList.remove("uxl-show");
    void ui.toast.offsetWidth;
    ui.toast.classList.add("uxl-show");
  }

  function setSpeed(speed) {
    if (replayer) replayer.setConfig({ speed });
    for (const b of ui.speeds.children) b.classList.toggle("uxl-on", Number(b.dataset.speed) === speed);
  }

  function rescale() {
    if (!replayer || !replayer.iframe) return;
    const w = Number(replayer.iframe.getAttribute("width")) || info.width || 1024;
    const ht = Number(replayer.iframe.getAttribute("height")) || info.height || 768;
    // the widget's width trait caps the size; the cell's width always wins
    const room = ui.screen.clientWidth || 0;
    const wanted = model.get("width") || Infinity;
    const avail = room > 0 ? Math.min(wanted, room) : Number.isFinite(wanted) ? wanted : 800;
    const maxH = info.max_height || 640;
    const scale = Math.min(avail / w, maxH / ht, 1);
    const wrapper = replayer.wrapper;
    wrapper.style.transform = `scale(${scale})`;
    wrapper.style.transformOrigin = "0 0";
    ui.stage.style.width = `${Math.round(w * scale)}px`;
    ui.stage.style.height = `${Math.round(ht * scale)}px`;
    ui.size.textContent = `${w}×${ht}`;
  }

  // ------------------------------------------------------------ timeline
  function buildTimeline() {
    for (const old of ui.track.querySelectorAll(".uxl-marker, .uxl-idle")) old.remove();
    const pct = (t) => `${(100 * Math.min(Math.max(t - start, 0), total)) / (total || 1)}%`;
    for (const [a, b] of inactive) {
      const span = h("div", { class: "uxl-idle", title: `idle ${fmt(b - a)} (skipped when "skip idle" is on)` });
      span.style.left = pct(a);
      span.style.width = `${(100 * Math.max(b - a, 0)) / (total || 1)}%`;
      ui.track.append(span);
    }
    markers.forEach((m, i) => {
      const label = `${KIND_LABEL[m.kind] || m.kind} at ${fmt(m.t - start)}${m.label ? `: ${m.label}` : ""}`;
      const dot = h("button", {
        class: `uxl-marker uxl-${m.kind}`,
        title: label,
        "aria-label": label,
        "data-index": i,
        "data-kind": m.kind,
      });
      dot.style.left = pct(m.t);
      dot.addEventListener("click", (ev) => {
        ev.stopPropagation();
        select({ source: "marker", index: i, kind: m.kind, t_ms: Math.round(m.t - start), label: m.label || "" });
        seek(m.t - start - LEAD_MS);
      });
      ui.track.append(dot);
    });
  }

  function select(payload) {
    model.set("selected", payload);
    model.save_changes();
  }

  function trackTime(ev) {
    const r = ui.track.getBoundingClientRect();
    return (Math.min(Math.max(ev.clientX - r.left, 0), r.width) / (r.width || 1)) * total;
  }

  ui.track.addEventListener("pointerdown", (ev) => {
    if (ev.target.classList.contains("uxl-marker") || !replayer) return;
    dragging = true;
    ui.track.setPointerCapture?.(ev.pointerId);
    paint(trackTime(ev));
  });
  ui.track.addEventListener("pointermove", (ev) => {
    if (dragging) paint(trackTime(ev));
  });
  ui.track.addEventListener("pointerup", (ev) => {
    if (!dragging) return;
    dragging = false;
    seek(trackTime(ev));
  });

  // ---------------------------------------------------------- side panel
  function buildPanel() {
    ui.tabs.replaceChildren();
    ui.lists.replaceChildren();
    rowEls = { console: [], network: [] };
    const defs = [
      ["console", "Console"],
      ["network", "Network"],
    ];
    for (const [key, name] of defs) {
      const n = rows[key].length;
      const bad = rows[key].filter((r) => r.bad).length;
      const tab = h("button", {
        class: `uxl-tab uxl-tab-${key}`,
        text: `${name} ${n}${bad ? ` · ${bad}⚠` : ""}`,
        "data-tab": key,
      });
      tab.addEventListener("click", () => showTab(key));
      ui.tabs.append(tab);
      const list = h("div", { class: `uxl-list uxl-list-${key}`, "data-list": key });
      if (!n) list.append(h("div", { class: "uxl-empty", text: key === "console" ? "no console messages" : "no network requests" }));
      rows[key].forEach((r, i) => {
        const when = h("span", { class: "uxl-when", text: fmt(r.t - start) });
        let row;
        if (key === "console") {
          row = h("div", { class: `uxl-row uxl-level-${r.level || "log"}${r.bad ? " uxl-bad" : ""}`, title: r.message || "" },
            when, h("span", { class: "uxl-level", text: r.level || "log" }), h("span", { class: "uxl-msg", text: r.message || "" }));
        } else {
          const dur = r.duration_ms == null ? "" : `${Math.round(r.duration_ms)} ms`;
          row = h("div", { class: `uxl-row${r.bad ? " uxl-bad" : ""}`, title: r.url || "" },
            when, h("span", { class: "uxl-method", text: r.method || "" }), h("span", { class: "uxl-msg", text: r.url || "" }),
            h("span", { class: "uxl-status", text: r.status == null ? "" : String(r.status) }), h("span", { class: "uxl-dur", text: dur }));
        }
        row.dataset.index = i;
        row.addEventListener("click", () => {
          select({ source: key, index: i, kind: r.bad ? (key === "console" ? "error" : "network") : key, t_ms: Math.round(r.t - start), label: r.message || r.url || "" });
          seek(r.t - start - LEAD_MS);
        });
        list.append(row);
        rowEls[key].push(row);
      });
      ui.lists.append(list);
    }
    const preferred = rows.console.length || !rows.network.length ? "console" : "network";
    showTab(rows[activeTab] && rows[activeTab].length ? activeTab : preferred);
  }

  function showTab(key) {
    activeTab = key;
    for (const t of ui.tabs.children) t.classList.toggle("uxl-on", t.dataset.tab === key);
    for (const l of ui.lists.children) l.hidden = l.dataset.list !== key;
  }

  // ------------------------------------------------------------ painting
  function pageAt(t) {
    let url = pages.length ? pages[0].url : "";
    for (const p of pages) {
      if (p.t - start <= t) url = p.url;
      else break;
    }
    return url;
  }

  function paint(t) {
    const frac = total ? Math.min(Math.max(t / total, 0), 1) : 0;
    ui.progress.style.width = `${frac * 100}%`;
    ui.handle.style.left = `${frac * 100}%`;
    ui.time.textContent = `${fmt(t)} / ${fmt(total)}`;
    const url = pageAt(t);
    if (ui.url.textContent !== url) ui.url.textContent = url;
    for (const key of ["console", "network"]) {
      let current = -1;
      rowEls[key].forEach((row, i) => {
        const past = rows[key][i].t - start <= t;
        row.classList.toggle("uxl-future", !past);
        if (past) current = i;
      });
      rowEls[key].forEach((row, i) => row.classList.toggle("uxl-current", i === current));
    }
  }

  function ripple(c) {
    if (!replayer || !replayer.wrapper) return;
    const dot = h("div", { class: `uxl-ripple uxl-${c.kind}` });
    dot.style.left = `${c.x}px`;
    dot.style.top = `${c.y}px`;
    replayer.wrapper.append(dot);
    dot.addEventListener("animationend", () => dot.remove());
    setTimeout(() => dot.remove(), 2000);
  }

  function tick() {
    if (disposed) return;
    raf = requestAnimationFrame(tick);
    if (!replayer || dragging) return;
    const playing = isPlaying();
    let t = stalled ? stallAt : now();
    if (playing && model.get("skip_inactive")) {
      for (const [a, b] of inactive) {
        const from = a - start;
        const to = b - start;
        if (t >= from && t < to - 50) {
          replayer.play(to);
          playFrom = to;
          toast(`skipped ${fmt(to - t)} idle`);
          t = to;
          break;
        }
      }
    }
    if (playing && t > lastT && t - lastT < 1500) {
      for (const c of clicks) {
        const ct = c.t - start;
        if (ct > lastT && ct <= t) ripple(c);
      }
    }
    lastT = t;
    paint(t);
    if (playing) report(t);
  }

  function issueFrom(t, dir) {
    const issues = markers.filter((m) => ISSUE_KINDS.has(m.kind));
    if (dir > 0) return issues.find((m) => m.t - start - LEAD_MS > t + 10);
    const before = issues.filter((m) => m.t - start - LEAD_MS < t - 10);
    return before[before.length - 1];
  }

  function jumpIssue(dir) {
    const m = issueFrom(now(), dir);
    if (!m) {
      toast(dir > 0 ? "no later friction or error" : "no earlier friction or error");
      return;
    }
    const i = markers.indexOf(m);
    select({ source: "marker", index: i, kind: m.kind, t_ms: Math.round(m.t - start), label: m.label || "" });
    seek(m.t - start - LEAD_MS);
    toast(`${KIND_LABEL[m.kind] || m.kind}${m.label ? `: ${m.label}` : ""}`);
  }

  // ------------------------------------------------------------ loading
  function showWarnings(list) {
    ui.warnings.replaceChildren();
    if (!list || !list.length) {
      ui.warnings.hidden = true;
      return;
    }
    ui.warnings.hidden = false;
    ui.warnings.append(h("b", { text: "Replay warnings: " }));
    const ul = h("ul");
    for (const w of list) ul.append(h("li", { text: w }));
    ui.warnings.append(ul);
  }

  function teardown() {
    if (replayer) {
      try {
        replayer.destroy();
      } catch (e) {
        /* already gone */
      }
    }
    replayer = null;
    pendingChunks = 0;
    stalled = false;
    ui.stage.replaceChildren();
  }

  // The later chunks: views into the _chunks buffer, by the sizes in _info.
  function chunkSlices() {
    const all = bytesOf(model.get("_chunks"));
    const out = [];
    let at = 0;
    for (const c of (info.chunks || []).slice(1)) {
      out.push(all.subarray(at, at + c.bytes));
      at += c.bytes;
    }
    return out;
  }

  // Decode the later chunks one by one and append them to the running replayer.
  async function appendChunks(token, slices) {
    const n = slices.length + 1;
    let done = 1;
    ui.root.dataset.chunks = `${done}/${n}`;
    const starts = (info.chunks || []).slice(1).map((c) => c.t0);
    for (const [k, slice] of slices.entries()) {
      await new Promise((resolve) => setTimeout(resolve, 0)); // let frames paint in between
      if (token !== loadToken || disposed || !replayer) return;
      const raw = await gunzip(slice);
      const events = JSON.parse(new TextDecoder().decode(raw));
      if (token !== loadToken || disposed || !replayer) return;
      for (const e of events) replayer.addEvent(e);
      await Promise.resolve(); // addEvent hands each event over in a microtask
      pendingChunks -= 1;
      done += 1;
      ui.root.dataset.chunks = `${done}/${n}`;
      total = Math.max(total, replayer.getMetaData().totalTime);
      if (events.length) decodedEnd = Math.max(decodedEnd, events[events.length - 1].timestamp - start);
      if (stalled) {
        stalled = false;
        playFrom = stallAt;
        replayer.play(stallAt);
      } else if (starts[k] != null && starts[k] - start < now()) {
        // the position is already past this chunk's start (a seek or a skip beyond what
        // was decoded): the replayer put those events in its virtual DOM only, so
        // rebuild the frame at the position
        if (isPlaying()) replayer.play(now());
        else replayer.pause(now());
      }
    }
  }

  async function load() {
    const token = ++loadToken;
    teardown();
    setStatus("loading");
    info = model.get("_info") || {};
    start = 0;
    total = 0;
    markers = info.markers || [];
    clicks = info.clicks || [];
    inactive = info.inactive || [];
    pages = info.pages || [];
    rows = { console: info.console || [], network: info.network || [] };
    ui.title.textContent = info.title || "";
    const n = info.playlist_size || 1;
    ui.playlist.hidden = n <= 1;
    ui.playlist.querySelector(".uxl-pos").textContent = `${(model.get("index") || 0) + 1}/${n}`;
    ui.prevSession.disabled = (model.get("index") || 0) <= 0;
    ui.nextSession.disabled = (model.get("index") || 0) >= n - 1;
    ui.root.classList.toggle("uxl-wireframe", info.mode === "wireframe");
    showWarnings(info.warnings);
    ui.skip.checked = !!model.get("skip_inactive");
    let events = [];
    try {
      const raw = await gunzip(model.get("_events"));
      if (raw.length) events = JSON.parse(new TextDecoder().decode(raw));
      if (token !== loadToken || disposed) return;
      if (events.length < 2) {
        ui.stage.append(h("div", { class: "uxl-nothing", text: info.empty_reason || "Nothing to replay in this session." }));
        ui.stage.style.width = "";
        ui.stage.style.height = "";
        buildPanel();
        setStatus("empty");
        return;
      }
      const { Replayer } = await loadRrweb(model);
      await whenConnected(ui.root);
      if (token !== loadToken || disposed) return;
      replayer = new Replayer(events, {
        root: ui.stage,
        speed: model.get("speed") || 1,
        skipInactive: false, // our own skipping, with the spans Python computed
        showWarning: false,
        triggerFocus: false, // never steal the notebook's keyboard focus
        UNSAFE_replayCanvas: false,
        pauseAnimation: true,
        mouseTail: { duration: 700, lineCap: "round", lineWidth: 3, strokeStyle: "rgba(232, 89, 12, 0.55)" },
        insertStyleRules: [
          "[data-uxlens-blocked] { background: repeating-linear-gradient(45deg, #eef0f3 0 6px, #e1e4ea 6px 12px) !important; }",
        ],
      });
      lockDown(replayer.iframe, info.csp);
      const meta = replayer.getMetaData();
      start = meta.startTime;
      // the whole recording's length, known before its later chunks are decoded
      total = Math.max(meta.totalTime, info.end != null ? info.end - start : 0);
      const slices = chunkSlices();
      pendingChunks = slices.length;
      decodedEnd = meta.totalTime;
      replayer.on("resize", () => rescale());
      replayer.on("finish", () => {
        if (pendingChunks > 0) {
          // the end of what is decoded, not of the recording: wait if playing
          if (ui.root.classList.contains("uxl-playing")) {
            stalled = true;
            // wait where the decoded events end, or where a seek past them landed
            stallAt = Math.min(now(), Math.max(decodedEnd, playFrom));
            lastT = stallAt;
            paint(lastT);
            report(lastT, true);
          }
          return;
        }
        ended = true;
        pause();
        paint(total);
      });
      rescale();
      buildTimeline();
      buildPanel();
      setSpeed(model.get("speed") || 1);
      const first = Math.min(Math.max((info.start_ms ?? start) - start, 0), total);
      replayer.pause(first);
      lastT = first;
      paint(first);
      report(first, true);
      ui.root.dataset.readyChunks = String((info.chunks || []).length - pendingChunks || 1);
      setStatus("ready");
      if (model.get("playing")) play();
      else pause();
      appendChunks(token, slices).catch((err) => {
        console.error("uxlens replay:", err);
        pendingChunks = 0;
        showWarnings([...(info.warnings || []), `part of the recording could not be decoded: ${err && err.message ? err.message : err}`]);
      });
    } catch (err) {
      console.error("uxlens replay:", err);
      teardown();
      ui.stage.append(h("div", { class: "uxl-nothing uxl-error", text: `Could not replay this session: ${err && err.message ? err.message : err}` }));
      setStatus(`error: ${err && err.message ? err.message : err}`);
    }
  }

  // ------------------------------------------------------------- wiring
  ui.play.addEventListener("click", () => (isPlaying() ? pause() : play()));
  ui.speeds.addEventListener("click", (ev) => {
    const s = Number(ev.target?.dataset?.speed);
    if (s) {
      model.set("speed", s);
      model.save_changes();
      setSpeed(s);
    }
  });
  ui.skip.addEventListener("change", () => {
    model.set("skip_inactive", ui.skip.checked);
    model.save_changes();
  });
  ui.nextIssue.addEventListener("click", () => jumpIssue(1));
  ui.prevIssue.addEventListener("click", () => jumpIssue(-1));
  const goSession = (delta) => {
    const n = info.playlist_size || 1;
    const i = Math.min(Math.max((model.get("index") || 0) + delta, 0), n - 1);
    if (i !== (model.get("index") || 0)) {
      model.set("index", i);
      model.save_changes();
    }
  };
  ui.prevSession.addEventListener("click", () => goSession(-1));
  ui.nextSession.addEventListener("click", () => goSession(1));

  ui.root.addEventListener("keydown", (ev) => {
    if (ev.target && ev.target.tagName === "INPUT") return; // the checkbox handles its own keys
    let handled = true;
    switch (ev.key) {
      case " ":
      case "k":
        isPlaying() ? pause() : play();
        break;
      case "ArrowLeft":
        seek(now() - 5000);
        break;
      case "ArrowRight":
        seek(now() + 5000);
        break;
      case "n":
        jumpIssue(1);
        break;
      case "p":
        jumpIssue(-1);
        break;
      case "s":
        model.set("skip_inactive", !model.get("skip_inactive"));
        model.save_changes();
        break;
      case "[":
        goSession(-1);
        break;
      case "]":
        goSession(1);
        break;
      case "1":
      case "2":
      case "4":
      case "8":
        model.set("speed", Number(ev.key));
        model.save_changes();
        setSpeed(Number(ev.key));
        break;
      default:
        handled = false;
    }
    if (handled) {
      ev.preventDefault();
      ev.stopPropagation(); // keep Jupyter's command-mode shortcuts out of it
    }
  });

  // "Add to deck" / "Save image": Python renders Session.frame(t) at the exact time shown.
  const sendExport = (action) => () => {
    model.set("export_request", { action, path: ui.exportPath.value, t_ms: now(), nonce: Date.now() });
    model.save_changes();
  };
  ui.toDeck.addEventListener("click", sendExport("deck"));
  ui.saveImage.addEventListener("click", sendExport("image"));
  const onExportMsg = () => { ui.exportMsg.textContent = model.get("export_message") || ""; };
  model.on("change:export_message", onExportMsg);
  const onSpeed = () => setSpeed(model.get("speed") || 1);
  const onSkip = () => {
    ui.skip.checked = !!model.get("skip_inactive");
  };
  const onPlaying = () => {
    const want = !!model.get("playing");
    if (want && !isPlaying()) play();
    else if (!want && isPlaying()) pause();
  };
  const onSeek = () => {
    const req = model.get("_seek") || {};
    if (typeof req.ms === "number") seek(req.ms);
  };
  const onWidth = () => rescale();
  // Python changes _events and _info together (new session): load once.
  let pendingLoad = 0;
  const scheduleLoad = () => {
    clearTimeout(pendingLoad);
    pendingLoad = setTimeout(load, 0);
  };
  model.on("change:_events", scheduleLoad);
  model.on("change:_chunks", scheduleLoad);
  model.on("change:_info", scheduleLoad);
  model.on("change:speed", onSpeed);
  model.on("change:skip_inactive", onSkip);
  model.on("change:playing", onPlaying);
  model.on("change:_seek", onSeek);
  model.on("change:width", onWidth);
  const resizeObserver = typeof ResizeObserver === "function" ? new ResizeObserver(() => rescale()) : null;
  resizeObserver?.observe(ui.screen);

  raf = requestAnimationFrame(tick);
  load();

  return () => {
    disposed = true;
    cancelAnimationFrame(raf);
    resizeObserver?.disconnect();
    clearTimeout(pendingLoad);
    model.off("change:_events", scheduleLoad);
    model.off("change:_chunks", scheduleLoad);
    model.off("change:_info", scheduleLoad);
    model.off("change:speed", onSpeed);
    model.off("change:skip_inactive", onSkip);
    model.off("change:playing", onPlaying);
    model.off("change:_seek", onSeek);
    model.off("change:width", onWidth);
    model.off("change:export_message", onExportMsg);
    teardown();
    ui.root.remove();
  };
}

export default { render };

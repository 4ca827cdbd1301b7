// uxlens heatmap explorer: the front end of uxlens.widgets.heatmap_explorer.HeatmapExplorer.
//
// Python decides what to show (which heatmap, its binned grid, the page image and
// the sessions behind a point). This module only renders and reports what the user
// does: selector changes, a click on the map (in page px) and a click on a session row.
//
// Model keys: kinds, devices, segments, versions, screens (options); kind, device, segment,
// version, screen (choices; no screen selector when screens is just ["all"]); image (bytes) + image_mime; page_w, page_h (page px);
// grid (float32 bytes, grid_ny rows x grid_nx columns, row-major), grid_y0, bin_px,
// grid_max; colors ([[stop, "rgba(...)"], ...]); title, status, error; click (out);
// export_request (out: {action: "deck" | "image", path, nonce}), export_path, export_message;
// marker {x, y, r}; sessions {label, columns, rows, total}; selected_session (out); radius.
//
// h and renderSessions (the session table, here without a Replay button: Python calls
// the on_select callbacks) come from _sessions.js, put in front of this file by
// uxlens.widgets._sessions.front_end().

const MAX_CANVAS_PX = 16000; // browsers refuse taller canvases

function bytesOf(value) {
  if (!value) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value instanceof DataView) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array(0);
}

function floatsOf(value) {
  const b = bytesOf(value);
  const copy = new Uint8Array(b.length - (b.length % 4));
  copy.set(b.subarray(0, copy.length));
  return new Float32Array(copy.buffer);
}

function parseColor(css) {
  const m = /rgba?\(([^)]+)\)/.exec(css);
  if (m) {
    const p = m[1].split(",").map((s) => parseFloat(s));
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  const hex = /^#([0-9a-f]{6})$/i.exec(css);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 1];
  }
  return [0, 0, 0, 1];
}

function colorAt(stops, t) {
  if (t <= stops[0][0]) return stops[0][1];
  for (let i = 1; i < stops.length; i++) {
    if (t <= stops[i][0]) {
      const [a, ca] = stops[i - 1];
      const [b, cb] = stops[i];
      const f = b > a ? (t - a) / (b - a) : 0;
      return ca.map((v, k) => v + (cb[k] - v) * f);
    }
  }
  return stops[stops.length - 1][1];
}

function select(label, options, value, onChange) {
  const sel = h("select", { class: "uxh-select", "aria-label": label, onchange: (e) => onChange(e.target.value) });
  for (const opt of options) {
    const o = h("option", { value: opt, text: opt });
    if (opt === value) o.selected = true;
    sel.append(o);
  }
  return h("label", { class: "uxh-field" }, h("span", { text: label }), sel);
}

function render({ model, el }) {
  const root = h("div", { class: "uxl-explorer uxh-root" });
  const controls = h("div", { class: "uxh-controls" });
  const title = h("div", { class: "uxh-title" });
  const status = h("div", { class: "uxh-status" });
  const error = h("div", { class: "uxh-error" });
  const stage = h("div", { class: "uxh-stage" });
  const img = h("img", { class: "uxh-page", alt: "page" });
  const canvas = h("canvas", { class: "uxh-heat" });
  const marker = h("div", { class: "uxh-marker" });
  const legend = h("div", { class: "uxh-legend" });
  const side = h("div", { class: "uxh-side" });
  stage.append(img, canvas, marker);
  const exportPath = h("input", { class: "uxh-path", type: "text", title: "image file to write" });
  exportPath.value = model.get("export_path") || "heatmap.png";
  exportPath.addEventListener("change", () => { model.set("export_path", exportPath.value); model.save_changes(); });
  const sendExport = (action) => () => {
    model.set("export_request", { action, path: exportPath.value, nonce: Date.now() });
    model.save_changes();
  };
  const exportMsg = h("span", { class: "uxh-export-msg" });
  const exportBar = h("div", { class: "uxh-export" },
    h("button", { class: "uxh-btn", text: "Add to deck", onclick: sendExport("deck") }),
    h("button", { class: "uxh-btn", text: "Save image", onclick: sendExport("image") }),
    exportPath, exportMsg);
  model.on("change:export_message", () => { exportMsg.textContent = model.get("export_message"); });
  root.append(title, controls, exportBar, status, error, h("div", { class: "uxh-body" }, h("div", { class: "uxh-scroll" }, stage), side), legend);
  el.append(root);
  let objectUrl = null;

  function drawControls() {
    controls.replaceChildren(...[
      select("kind", model.get("kinds"), model.get("kind"), (v) => { model.set("kind", v); model.save_changes(); }),
      select("device", model.get("devices"), model.get("device"), (v) => { model.set("device", v); model.save_changes(); }),
      select("segment", model.get("segments"), model.get("segment"), (v) => { model.set("segment", v); model.save_changes(); }),
      select("version", model.get("versions"), model.get("version"), (v) => { model.set("version", v); model.save_changes(); }),
      (model.get("screens") || []).length > 1
        ? select("screen", model.get("screens"), model.get("screen"), (v) => { model.set("screen", v); model.save_changes(); })
        : null,
    ].filter(Boolean));
  }

  function scale() {
    const shown = stage.clientWidth || 600;
    return shown / Math.max(1, model.get("page_w"));
  }

  function drawImage() {
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = null;
    const bytes = bytesOf(model.get("image"));
    if (bytes.length) {
      objectUrl = URL.createObjectURL(new Blob([bytes], { type: model.get("image_mime") || "image/png" }));
      img.src = objectUrl;
      img.style.display = "block";
    } else {
      img.removeAttribute("src");
      img.style.display = "none";
    }
  }

  function drawHeat() {
    const nx = model.get("grid_nx"), ny = model.get("grid_ny");
    const pageW = model.get("page_w"), pageH = model.get("page_h");
    const k = scale();
    stage.style.height = `${Math.round(pageH * k)}px`;
    img.style.height = `${Math.round(pageH * k)}px`;
    const cw = Math.max(1, Math.round(pageW * k));
    const ch = Math.max(1, Math.min(MAX_CANVAS_PX, Math.round(pageH * k)));
    canvas.width = cw;
    canvas.height = ch;
    canvas.style.width = `${cw}px`;
    canvas.style.height = `${ch}px`;
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, cw, ch);
    if (!nx || !ny) return;
    const z = floatsOf(model.get("grid"));
    const zmax = model.get("grid_max") || 1;
    const stops = model.get("colors").map(([s, c]) => [s, parseColor(c)]);
    const b = model.get("bin_px");
    const y0 = model.get("grid_y0");
    const cellW = nx === 1 ? pageW : b;
    for (let r = 0; r < ny; r++) {
      for (let c = 0; c < nx; c++) {
        const v = z[r * nx + c];
        if (!(v > zmax * 1e-3)) continue;
        const [R, G, B, A] = colorAt(stops, Math.min(1, v / zmax));
        ctx.fillStyle = `rgba(${R | 0},${G | 0},${B | 0},${A})`;
        ctx.fillRect(c * cellW * k, (y0 + r * b) * k, Math.ceil(cellW * k), Math.ceil(b * k));
      }
    }
  }

  function drawLegend() {
    const stops = model.get("colors");
    const grad = stops.map(([s, c]) => `${c} ${Math.round(s * 100)}%`).join(", ");
    legend.replaceChildren(
      h("span", { text: "less" }),
      h("span", { class: "uxh-ramp", style: `background: linear-gradient(to right, ${grad})` }),
      h("span", { text: "more" }),
    );
  }

  function drawMarker() {
    const m = model.get("marker") || {};
    if (m.x === undefined) {
      marker.style.display = "none";
      return;
    }
    const k = scale();
    const r = Math.max(4, (m.r || 0) * k);
    marker.style.display = "block";
    if (m.r) {
      Object.assign(marker.style, { left: `${m.x * k - r}px`, top: `${m.y * k - r}px`, width: `${2 * r}px`, height: `${2 * r}px`, borderRadius: "50%" });
    } else {
      const band = model.get("bin_px") * k;
      Object.assign(marker.style, { left: "0px", top: `${m.y * k - band / 2}px`, width: "100%", height: `${band}px`, borderRadius: "0" });
    }
  }

  function drawSessions() {
    side.replaceChildren();
    renderSessions(model, side, { hint: "Click the map to list the sessions behind a point.", replay: false });
  }

  function onMapClick(ev) {
    const rect = canvas.getBoundingClientRect();
    const k = scale();
    const x = (ev.clientX - rect.left) / k;
    const y = (ev.clientY - rect.top) / k;
    model.set("click", { x, y, t: Date.now() });
    model.save_changes();
  }

  function all() {
    title.textContent = model.get("title");
    status.textContent = model.get("status");
    error.textContent = model.get("error");
    error.style.display = model.get("error") ? "block" : "none";
    drawControls();
    drawImage();
    drawHeat();
    drawLegend();
    drawMarker();
    drawSessions();
  }

  canvas.addEventListener("click", onMapClick);
  const redraw = () => { drawHeat(); drawMarker(); };
  const resize = typeof ResizeObserver !== "undefined" ? new ResizeObserver(redraw) : null;
  if (resize) resize.observe(stage);
  const on = (keys, fn) => keys.forEach((key) => model.on(`change:${key}`, fn));
  on(["kinds", "devices", "segments", "versions", "screens", "kind", "device", "segment", "version", "screen"], drawControls);
  on(["image", "image_mime"], () => { drawImage(); drawHeat(); });
  on(["grid", "grid_nx", "grid_ny", "grid_max", "page_w", "page_h", "bin_px", "grid_y0"], drawHeat);
  on(["title", "status", "error"], () => {
    title.textContent = model.get("title");
    status.textContent = model.get("status");
    error.textContent = model.get("error");
    error.style.display = model.get("error") ? "block" : "none";
  });
  on(["marker"], drawMarker);
  on(["sessions", "selected_session"], drawSessions);
  all();
  return () => {
    if (resize) resize.disconnect();
    if (objectUrl) URL.revokeObjectURL(objectUrl);
  };
}

export default { render };

// uxlens journeys explorer: the front end of uxlens.widgets.journeys_explorer.JourneysExplorer.
//
// Python decides what to show (the flows of the first N steps, the sessions of
// the clicked node or link). This module only renders and reports what the user does:
//   - click on a node               -> model "selected" = {kind: "node", node}
//   - click on a link               -> model "selected" = {kind: "edge", node, next}
//   - step slider                   -> model "steps" = N
//   - start-node selector           -> model "start" = node ("" = journeys from the start)
//   - click on a session row        -> model "selected_session" = id
//   - click on "Replay"             -> model "replay_request" = {session_id, nonce}
//
// Model keys read: flow {title, total, colors, nodes: [{step, node, count, color}],
// links: [{step, node, next, count}]}, steps, max_steps, start, start_options,
// selected, sessions {label, columns, rows, total}, selected_session, message.

const SVG = "http://www.w3.org/2000/svg";

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

function cell(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString() : String(v);
  return String(v);
}

function pick(model, selected) {
  model.set("selected", selected);
  model.save_changes();
}

function renderFlow(model, root) {
  const flow = model.get("flow") || {};
  const nodes = flow.nodes || [];
  const links = flow.links || [];
  const sel = model.get("selected") || {};
  const colors = flow.colors || {};
  if (!nodes.length) {
    root.append(h("div", { class: "uxl-jx-hint", text: "No flows to show." }));
    return;
  }
  const W = 900, H = 380, PAD = 12, NODE_W = 14, GAP = 10;
  const steps = [...new Set(nodes.map((n) => n.step))].sort((a, b) => a - b);
  const colX = (step) => PAD + ((W - 2 * PAD - NODE_W - 120) * (steps.indexOf(step))) / Math.max(1, steps.length - 1);
  let scale = Infinity;
  for (const st of steps) {
    const col = nodes.filter((n) => n.step === st);
    const total = col.reduce((a, n) => a + n.count, 0);
    scale = Math.min(scale, (H - 2 * PAD - GAP * (col.length - 1)) / Math.max(1, total));
  }
  const pos = new Map();
  for (const st of steps) {
    let y = PAD;
    const col = nodes.filter((n) => n.step === st).sort((a, b) =>
      (a.node === "(exit)") - (b.node === "(exit)") || b.count - a.count);
    for (const n of col) {
      const hgt = Math.max(2, n.count * scale);
      pos.set(`${n.step}|${n.node}`, { x: colX(n.step), y, h: hgt, out: y, in: y, n });
      y += hgt + GAP;
    }
  }
  const svg = s("svg", { class: "uxl-jx-svg", viewBox: `0 0 ${W} ${H}`, width: "100%" });
  const gl = s("g", {});
  const ordered = [...links].sort((a, b) => b.count - a.count);
  for (const l of ordered) {
    const a = pos.get(`${l.step}|${l.node}`);
    const b = pos.get(`${l.step + 1}|${l.next}`);
    if (!a || !b) continue;
    const w = Math.max(1, l.count * scale);
    const x0 = a.x + NODE_W, x1 = b.x, y0 = a.out + w / 2, y1 = b.in + w / 2;
    a.out += w;
    b.in += w;
    const mx = (x0 + x1) / 2;
    const isSel = sel.kind === "edge" && sel.node === l.node && sel.next === l.next;
    const exit = l.next === "(exit)";
    gl.append(
      s("path", {
        class: "uxl-jx-link" + (exit ? " uxl-jx-exit" : "") + (isSel ? " uxl-jx-selected" : ""),
        d: `M${x0},${y0} C${mx},${y0} ${mx},${y1} ${x1},${y1}`,
        "stroke-width": w,
        "data-node": l.node,
        "data-next": l.next,
        "data-step": l.step,
        onclick: () => pick(model, { kind: "edge", node: l.node, next: l.next }),
      }, s("title", {}, `${l.node} → ${l.next}: ${l.count.toLocaleString()} journeys (step ${l.step})`)),
    );
  }
  svg.append(gl);
  const gn = s("g", {});
  for (const p of pos.values()) {
    const n = p.n;
    const isSel = sel.kind === "node" && sel.node === n.node;
    const exit = n.node === "(exit)";
    const g = s("g", {
      class: "uxl-jx-node" + (isSel ? " uxl-jx-selected" : ""),
      "data-node": n.node,
      "data-step": n.step,
      onclick: () => { if (!exit) pick(model, { kind: "node", node: n.node }); },
    });
    g.append(
      s("rect", { x: p.x, y: p.y, width: NODE_W, height: p.h, fill: exit ? colors.drop || "#E03131" : n.color }),
      s("text", { x: p.x + NODE_W + 4, y: p.y + Math.min(p.h / 2, 12) + 4 }, `${n.node} (${n.count.toLocaleString()})`),
      s("title", {}, exit ? `${n.count.toLocaleString()} journeys end here` :
        `${n.node} at step ${n.step}: ${n.count.toLocaleString()} journeys · click for its sessions`),
    );
    gn.append(g);
  }
  svg.append(gn);
  root.append(svg);
}

function renderSessions(model, root) {
  const data = model.get("sessions") || {};
  const box = h("div", { class: "uxl-jx-sessions" });
  if (!data.columns) {
    box.append(h("div", { class: "uxl-jx-hint", text: "Click a node or a flow to list its sessions." }));
    root.append(box);
    return;
  }
  const chosen = model.get("selected_session");
  const shown = data.rows.length;
  box.append(
    h("div", { class: "uxl-jx-head" },
      h("b", { class: "uxl-jx-label", text: data.label }),
      h("span", { class: "uxl-jx-muted",
        text: ` · ${data.total.toLocaleString()} sessions` + (shown < data.total ? ` (first ${shown} shown)` : "") }),
      h("button", {
        class: "uxl-jx-replay", text: "▶ Replay", disabled: !chosen,
        title: chosen ? `Replay session ${chosen}` : "Select a session first",
        onclick: () => { model.set("replay_request", { session_id: chosen, nonce: Date.now() }); model.save_changes(); },
      })),
  );
  const table = h("table", { class: "uxl-jx-table" });
  const head = h("tr");
  for (const c of data.columns) head.append(h("th", { text: c }));
  table.append(h("thead", {}, head));
  const body = h("tbody");
  const sidAt = data.columns.indexOf("session_id");
  for (const row of data.rows) {
    const sid = row[sidAt];
    const tr = h("tr", {
      class: sid === chosen ? "uxl-jx-chosen" : "", "data-session": sid,
      onclick: () => { model.set("selected_session", sid); model.save_changes(); },
    });
    for (const v of row) tr.append(h("td", { text: cell(v) }));
    body.append(tr);
  }
  table.append(body);
  box.append(h("div", { class: "uxl-jx-scroll" }, table));
  root.append(box);
}

function render({ model, el }) {
  const root = h("div", { class: "uxl-jx" });
  el.append(root);
  const draw = () => {
    root.replaceChildren();
    const flow = model.get("flow") || {};
    const steps = model.get("steps");
    const slider = h("input", {
      class: "uxl-jx-steps", type: "range", min: 1, max: model.get("max_steps") || 10, value: steps,
      onchange: (e) => { model.set("steps", Number(e.target.value)); model.save_changes(); },
    });
    const select = h("select", {
      class: "uxl-jx-start",
      onchange: (e) => { model.set("start", e.target.value); model.save_changes(); },
    });
    for (const o of model.get("start_options") || [""]) {
      const opt = h("option", { value: o, text: o ? `from ${o}` : "from the start" });
      if (o === (model.get("start") || "")) opt.selected = true;
      select.append(opt);
    }
    root.append(
      h("div", { class: "uxl-jx-top" },
        h("div", {}, h("div", { class: "uxl-jx-title", text: flow.title || "Journeys" }),
          h("div", { class: "uxl-jx-muted", text: `${(flow.total || 0).toLocaleString()} journeys · red = exits` })),
        h("label", { class: "uxl-jx-muted" }, "steps ", slider, h("span", { class: "uxl-jx-nsteps", text: String(steps) })),
        select),
    );
    renderFlow(model, root);
    renderSessions(model, root);
    const msg = model.get("message");
    if (msg) root.append(h("div", { class: "uxl-jx-message", text: msg }));
  };
  for (const key of ["flow", "steps", "max_steps", "start", "start_options", "selected", "sessions",
    "selected_session", "message"])
    model.on(`change:${key}`, draw);
  draw();
  return () => root.remove();
}

export default { render };

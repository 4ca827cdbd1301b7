// uxlens journeys explorer: the front end of uxlens.widgets.journeys_explorer.JourneysExplorer.
//
// Python decides what to show (the flows of the first N steps, the sessions of
// the clicked node or link). This module only renders and reports what the user does:
//   - click on a node               -> model "selected" = {kind: "node", node}
//   - click on a link               -> model "selected" = {kind: "edge", node, next}
//   - step slider                   -> model "steps" = N
//   - start-node selector           -> model "start" = node ("" = journeys from the start)
//   - end-node selector             -> model "end" = node ("" = no end node); Python redraws
//                                      the flows to that node and lists the sessions that reached it
//   - click on a session row        -> model "selected_session" = id
//   - click on "Replay"             -> model "replay_request" = {session_id, nonce}
//
// Model keys read: flow {title, total, colors, nodes: [{step, node, count, color}],
// links: [{step, node, next, count}]}, steps, max_steps, start, start_options, end,
// end_options, selected, sessions {label, columns, rows, total}, selected_session, message.
//
// h, cell and renderSessions (the session table and Replay button) come from
// _sessions.js, put in front of this file by uxlens.widgets._sessions.front_end().

const SVG = "http://www.w3.org/2000/svg";

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
        "data-count": l.count,
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
      "data-count": n.count,
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

function nodeSelect(model, key, label) {
  const select = h("select", {
    class: `uxl-jx-${key}`,
    "aria-label": `${key} node`,
    onchange: (e) => { model.set(key, e.target.value); model.save_changes(); },
  });
  for (const o of model.get(`${key}_options`) || [""]) {
    const opt = h("option", { value: o, text: label(o) });
    if (o === (model.get(key) || "")) opt.selected = true;
    select.append(opt);
  }
  return select;
}

function render({ model, el }) {
  const root = h("div", { class: "uxl-explorer uxl-jx" });
  el.append(root);
  const draw = () => {
    root.replaceChildren();
    const flow = model.get("flow") || {};
    const steps = model.get("steps");
    const slider = h("input", {
      class: "uxl-jx-steps", type: "range", min: 1, max: model.get("max_steps") || 10, value: steps,
      onchange: (e) => { model.set("steps", Number(e.target.value)); model.save_changes(); },
    });
    const total = `${(flow.total || 0).toLocaleString()} journeys` + (model.get("end") ? "" : " · red = exits");
    root.append(
      h("div", { class: "uxl-jx-top" },
        h("div", {}, h("div", { class: "uxl-jx-title", text: flow.title || "Journeys" }),
          h("div", { class: "uxl-jx-muted uxl-jx-total", text: total })),
        h("label", { class: "uxl-jx-muted" }, "steps ", slider, h("span", { class: "uxl-jx-nsteps", text: String(steps) })),
        nodeSelect(model, "start", (o) => (o ? `from ${o}` : "from the start")),
        nodeSelect(model, "end", (o) => (o ? `to ${o}` : "to any node"))),
    );
    renderFlow(model, root);
    renderSessions(model, root, { hint: "Click a node or a flow to list its sessions." });
    const msg = model.get("message");
    if (msg) root.append(h("div", { class: "uxl-jx-message", text: msg }));
  };
  for (const key of ["flow", "steps", "max_steps", "start", "start_options", "end", "end_options",
    "selected", "sessions", "selected_session", "message"])
    model.on(`change:${key}`, draw);
  draw();
  return () => root.remove();
}

export default { render };

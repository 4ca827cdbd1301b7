// uxlens funnel explorer: the front end of uxlens.widgets.funnel_explorer.FunnelExplorer.
//
// Python decides what to show (the funnel table per segment, the sessions of the
// clicked step). This module only renders and reports what the user does:
//   - click on a step bar          -> model "selected" = {step, segment}
//   - change of the split selector -> model "split_by" = column ("" = no split)
//   - click on a session row       -> model "selected_session" = id
//   - click on "Replay"            -> model "replay_request" = {session_id, nonce}
//
// Model keys read: funnel {title, subtitle, breakdown, n_steps, colors,
// segments: [{name, color, steps: [{step, label, count, conversion,
// step_conversion, dropped, median_time_s}]}]}, split_options, split_by,
// selected, sessions {label, columns, rows, total, units}, selected_session, message.
//   - click on "Add to deck" / "Save image" -> model "export_request" =
//     {action: "deck" | "image", path, nonce}; Python exports, answers in "message".
//
// h, cell and renderSessions (the session table and Replay button) come from
// _sessions.js, put in front of this file by uxlens.widgets._sessions.front_end().

function pct(v) {
  return v === null || v === undefined ? "–" : (100 * v).toFixed(1) + "%";
}

function seconds(v) {
  if (v === null || v === undefined) return "–";
  if (v < 60) return v.toFixed(1) + " s";
  if (v < 3600) return (v / 60).toFixed(1) + " min";
  if (v < 86400) return (v / 3600).toFixed(1) + " h";
  return (v / 86400).toFixed(1) + " d";
}

function renderBars(model, root) {
  const funnel = model.get("funnel") || {};
  const segments = funnel.segments || [];
  const selected = model.get("selected") || {};
  const colors = funnel.colors || {};
  let top = 1;
  for (const seg of segments) for (const s of seg.steps) top = Math.max(top, s.count);
  const chart = h("div", { class: "uxl-fx-chart" });
  const n = funnel.n_steps || (segments[0] ? segments[0].steps.length : 0);
  for (let i = 0; i < n; i++) {
    const col = h("div", { class: "uxl-fx-col" });
    const bars = h("div", { class: "uxl-fx-bars" });
    let label = "";
    for (const seg of segments) {
      const s = seg.steps[i];
      if (!s) continue;
      label = s.label;
      const prev = i > 0 ? seg.steps[i - 1].count : s.count;
      const lost = Math.max(prev - s.count, 0);
      const isSel = selected.step === s.step && (selected.segment ?? null) === (seg.name ?? null);
      const title =
        `${seg.name ? seg.name + " · " : ""}${s.step}. ${s.label}\n` +
        `${s.count.toLocaleString()} units · ${pct(s.conversion)} of step 1 · ` +
        `${pct(s.step_conversion)} of previous\nmedian time from previous: ${seconds(s.median_time_s)}\n` +
        (s.step < n
          ? `click: the ${s.dropped.toLocaleString()} units who stopped here`
          : "click: the units who completed the funnel");
      const bar = h(
        "button",
        {
          class: "uxl-fx-bar" + (isSel ? " uxl-fx-selected" : ""),
          title,
          "data-step": s.step,
          "data-segment": seg.name ?? "",
          onclick: () => {
            model.set("selected", { step: s.step, segment: seg.name ?? null });
            model.save_changes();
          },
        },
        h("div", {
          class: "uxl-fx-lost",
          style: `height:${(100 * lost) / top}%;border-color:${colors.drop || "#E03131"}`,
        }),
        h(
          "div",
          { class: "uxl-fx-fill", style: `height:${(100 * s.count) / top}%;background:${seg.color}` },
          h("span", { class: "uxl-fx-count", text: s.count.toLocaleString() }),
        ),
      );
      bars.append(
        h("div", { class: "uxl-fx-barwrap" }, bar, h("div", { class: "uxl-fx-pct", text: pct(s.conversion) })),
      );
    }
    col.append(bars, h("div", { class: "uxl-fx-label", title: label, text: `${i + 1}. ${label}` }));
    chart.append(col);
  }
  root.append(chart);
  if (segments.length > 1 || (segments[0] && segments[0].name)) {
    const legend = h("div", { class: "uxl-fx-legend" });
    for (const seg of segments)
      legend.append(
        h("span", { class: "uxl-fx-key" }, h("i", { style: `background:${seg.color}` }), seg.name ?? ""),
      );
    root.append(legend);
  }
}

function renderExport(model, root) {
  const path = h("input", {
    class: "uxl-fx-path",
    type: "text",
    value: model.get("export_path") || "funnel.png",
    title: "image file to write",
    onchange: (e) => { model.set("export_path", e.target.value); model.save_changes(); },
  });
  const send = (action) => () => {
    model.set("export_request", { action, path: path.value, nonce: Date.now() });
    model.save_changes();
  };
  root.append(
    h("div", { class: "uxl-fx-export" },
      h("button", { class: "uxl-fx-btn", text: "Add to deck", onclick: send("deck") }),
      h("button", { class: "uxl-fx-btn", text: "Save image", onclick: send("image") }),
      path),
  );
}

function render({ model, el }) {
  const root = h("div", { class: "uxl-explorer uxl-fx" });
  el.append(root);
  const draw = () => {
    root.replaceChildren();
    const funnel = model.get("funnel") || {};
    const options = model.get("split_options") || [];
    const select = h("select", {
      class: "uxl-fx-split",
      onchange: (e) => {
        model.set("split_by", e.target.value);
        model.set("selected", {});
        model.save_changes();
      },
    });
    for (const o of options) {
      const opt = h("option", { value: o, text: o ? `split by ${o}` : "no split" });
      if (o === (model.get("split_by") || "")) opt.selected = true;
      select.append(opt);
    }
    root.append(
      h(
        "div",
        { class: "uxl-fx-top" },
        h("div", {}, h("div", { class: "uxl-fx-title", text: funnel.title || "Funnel" }),
          h("div", { class: "uxl-fx-muted", text: funnel.subtitle || "" })),
        options.length > 1 ? select : null,
      ),
    );
    renderBars(model, root);
    renderExport(model, root);
    renderSessions(model, root, { hint: "Click a step bar to list the units who stopped there." });
    const msg = model.get("message");
    if (msg) root.append(h("div", { class: "uxl-fx-message", text: msg }));
  };
  for (const key of ["funnel", "split_options", "split_by", "selected", "sessions", "selected_session", "message"])
    model.on(`change:${key}`, draw);
  draw();
  return () => root.remove();
}

export default { render };

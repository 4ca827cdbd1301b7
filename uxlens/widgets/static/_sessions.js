// uxlens explorers, shared part: the DOM helper and the session table with its Replay button.
//
// Not a module of its own: uxlens.widgets._sessions.front_end() puts this file in front of
// each explorer's own file (funnel_explorer.js, journeys_explorer.js, heatmap_explorer.js)
// to make that widget's one ESM string, so the names below are in scope there.
//
// An explorer's root element has the class uxl-explorer (font and colour, _sessions.css).
//
// renderSessions(model, root, {hint, replay}) reads the model keys
//   sessions {label, columns, rows, total, units?}  (uxlens.widgets._sessions.sessions_payload)
//   selected_session
// and reports:
//   - click on a session row -> model "selected_session" = id
//   - click on "Replay"      -> model "replay_request" = {session_id, nonce}  (when replay)

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

function cell(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString() : String(v);
  return String(v);
}

function sessionsSummary(data) {
  const shown = data.rows.length;
  const units = data.units === undefined ? "" : `${data.units.toLocaleString()} units, `;
  return ` · ${units}${data.total.toLocaleString()} sessions` +
    (shown < data.total ? ` (first ${shown} shown)` : "");
}

function renderSessions(model, root, { hint = "", replay = true } = {}) {
  const data = model.get("sessions") || {};
  const box = h("div", { class: "uxl-sessions" });
  root.append(box);
  if (!data.columns) {
    box.append(h("div", { class: "uxl-sessions-hint", text: hint }));
    return;
  }
  const chosen = model.get("selected_session");
  box.append(
    h("div", { class: "uxl-sessions-head" },
      h("b", { class: "uxl-sessions-label", text: data.label }),
      h("span", { class: "uxl-sessions-count", text: sessionsSummary(data) }),
      replay ? h("button", {
        class: "uxl-replay", text: "▶ Replay", disabled: !chosen,
        title: chosen ? `Replay session ${chosen}` : "Select a session first",
        onclick: () => {
          model.set("replay_request", { session_id: chosen, nonce: Date.now() });
          model.save_changes();
        },
      }) : null),
  );
  const table = h("table", { class: "uxl-sessions-table" });
  table.append(h("thead", {}, h("tr", {}, ...data.columns.map((c) => h("th", { text: c.replace(/_/g, " ") })))));
  const body = h("tbody");
  const sidAt = data.columns.indexOf("session_id");
  for (const row of data.rows) {
    const sid = String(row[sidAt]);
    body.append(h("tr", {
      class: sid === chosen ? "uxl-chosen" : "",
      "data-session": sid,
      onclick: () => {
        model.set("selected_session", sid);
        model.save_changes();
      },
    }, ...row.map((v) => h("td", { text: cell(v) }))));
  }
  table.append(body);
  box.append(h("div", { class: "uxl-sessions-scroll" }, table));
}

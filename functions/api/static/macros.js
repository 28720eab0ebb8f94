// Macros in the ticket view (issue 17): the menu of the macros I may apply, applying one (with the version the
// view shows), what it changed, and "Rückgängig" for my last run on this ticket.

import { h, replace } from "./dom.js";
import { t, has } from "./i18n.js";
import { api } from "./http.js";
import { statusLabel, priorityLabel, queueName, agentName } from "./store.js";
import { errorText } from "./ui.js";

let known = null; // GET macros, once per page load

export function macroList() {
  if (!known) known = api("macros").then((r) => r.items).catch((error) => { known = null; throw error; });
  return known;
}

function shown(name, value) {
  if (Array.isArray(value)) return value.join(", ") || "–";
  if (value === null || value === undefined || value === "") return "–";
  if (name === "status") return statusLabel(value);
  if (name === "priority") return priorityLabel(value);
  if (name === "queue") return queueName(value);
  if (name === "assignee") return agentName(value);
  return String(value);
}

function changeList(changes) {
  const entries = Object.entries(changes || {});
  if (!entries.length) return h("p", { class: "muted", text: t("macro.nochange") });
  return h("ul", { class: "macro-changes" }, entries.map(([name, [before, after]]) => h("li", {},
    h("strong", { text: has(`auto.field.${name}`) ? t(`auto.field.${name}`) : name }),
    `: ${shown(name, before)} → ${shown(name, after)}`)));
}

/** A decision's reason (``{code, params, text}``) in the agent's language; events, fields and their values too. */
export function reasonText(reason) {
  const params = { ...(reason.params || {}) };
  if (reason.code === "rules.condition" && has(`op.${params.op}`)) { // a rule's mail condition that held
    const field = params.field === "header" ? `${t("cond.header")} ${params.header}`
      : has(`cond.${params.field}`) ? t(`cond.${params.field}`) : params.field;
    const value = params.value ? ` „${params.value}“` : "";
    return t("reason.rules.condition", { rule: params.rule, condition: `${field} ${t(`op.${params.op}`)}${value}` });
  }
  if (reason.code === "automation.condition" && has(`auto.op.${params.op}`)) { // the ticket condition, in the reader's words
    const field = has(`auto.field.${params.field}`) ? t(`auto.field.${params.field}`) : params.field;
    const value = params.value ? ` „${shown(params.field, params.value)}“` : "";
    return t("reason.automation.condition", { trigger: params.trigger, condition: `${field} ${t(`auto.op.${params.op}`)}${value}` });
  }
  if (has(`auto.ev.${params.event}`)) params.event = t(`auto.ev.${params.event}`);
  if (params.field && params.value !== undefined) params.value = shown(params.field, params.value);
  if (has(`auto.field.${params.field}`)) params.field = t(`auto.field.${params.field}`);
  else if (has(`cond.${params.field}`)) params.field = t(`cond.${params.field}`); // a mail condition's field
  return has(`reason.${reason.code}`) ? t(`reason.${reason.code}`, params) : String(reason.text || "");
}

/** The "Makro" menu of a ticket. ``version()``: the version the view shows; ``write(work)``: the view's queue of
 * changes; ``done(result)``: after a run (reload); ``conflict(current)``: a 409; ``note``: where results show. */
export function macroMenu({ ticketId, version, write, done, conflict, note }) {
  const list = h("ul", { class: "macro-list", role: "list" });
  const menu = h("details", { class: "macro-menu" }, h("summary", { class: "btn", text: t("macro.menu") }), list);
  const path = `tickets/${encodeURIComponent(ticketId)}`;

  async function run(url, name) {
    menu.open = false;
    let result;
    try {
      result = await write(() => api(url, { method: "POST", body: { version: version() } }));
    } catch (error) {
      if (error.status === 409 && error.body && error.body.current) conflict(error.body.current);
      const nothing = error.status === 400 && /no macro/.test(String(error.body && error.body.message));
      replace(note, h("p", { class: "form-error", role: "alert", text: nothing ? t("macro.nothing") : errorText(error) }));
      note.hidden = false;
      return;
    }
    const undoing = name === null;
    const why = undoing ? result.reasons.map(reasonText) : [];
    replace(note,
      h("p", { role: "status" }, h("strong", { text: undoing ? why.pop() || "" : t("macro.applied", { name }) }),
        result.mailed ? ` ${t("macro.mailed")}` : ""),
      changeList(result.changes),
      why.length ? h("ul", {}, why.map((w) => h("li", { text: w }))) : null,
      h("div", { class: "actions" },
        undoing ? null : h("button", { type: "button", class: "btn btn-small macro-undo", text: t("macro.undo"),
          on: { click: () => run(`${path}/undo-macro`, null) } }),
        h("button", { type: "button", class: "btn btn-small btn-quiet", text: t("close"),
          on: { click: () => { note.hidden = true; } } })));
    note.hidden = false;
    done(result);
  }

  menu.addEventListener("toggle", async () => {
    if (!menu.open) return;
    replace(list, h("li", { class: "muted", text: t("loading") }));
    try {
      const macros = await macroList();
      replace(list, ...(macros.length ? macros.map((m) => h("li", {}, h("button", { type: "button", class: "btn btn-quiet",
        "data-macro": m.id, text: m.name, on: { click: () => run(`${path}/macros/${encodeURIComponent(m.id)}`, m.name) } })))
        : [h("li", { class: "muted", text: t("macro.none") })]),
      h("li", {}, h("button", { type: "button", class: "btn btn-quiet", text: t("macro.undolast"),
        on: { click: () => run(`${path}/undo-macro`, null) } })));
    } catch (error) {
      replace(list, h("li", { class: "form-error", text: errorText(error) }));
    }
  });
  return menu;
}

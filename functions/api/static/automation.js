// Administration of automation (issue 17): triggers (editor and dry run on a ticket), macros, SLA policies.
// Loaded by the administration only when one of these sections opens; its helpers come as an argument.

import { h, replace } from "./dom.js";
import { t, has, lang } from "./i18n.js";
import { api } from "./http.js";
import { navigate, href } from "./router.js";
import { statuses, priorities, statusLabel, priorityLabel } from "./store.js";
import { field, selectEl, toast, errorText, markInvalid, confirmDialog } from "./ui.js";
import { reasonText } from "./macros.js";

const EVENTS = ["ticket_created", "customer_replied", "agent_replied", "status_changed", "assigned", "unassigned",
  "tag_added", "priority_changed"];
const TIME_EVENTS = ["no_agent_reply", "in_status", "due_soon", "sla_warning"];
const FIELDS = ["status", "priority", "queue", "assignee", "tag", "type", "project", "customer", "customer_domain", "subject"];
const OPS = ["is", "is_not", "contains", "not_contains", "is_set", "not_set"];
const KINDS = ["set_status", "set_priority", "set_queue", "set_assignee", "unassign", "add_tag", "remove_tag", "set_type",
  "set_project", "set_due_in_hours", "add_comment", "notify", "send_template", "publish"];
const PRIOS = ["*", "urgent", "high", "medium", "low", "lowest"];
const CLOCKS = ["first_response_hours", "next_response_hours", "solution_hours"];
const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const STATES = ["BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"];
const BY_FIELD = { status: "set_status", priority: "set_priority", queue: "set_queue", assignee: "set_assignee" };
// The API's refusals (English) in the agent's language: pattern → key ({value}: the first group).
const REFUSALS = [
  [/unknown queue '([^']*)'/, "queue"], [/unknown agent '([^']*)'/, "agent"], [/unknown template '([^']*)'/, "template"],
  [/notify needs/, "notify"], [/not run yet/, "time"], [/cannot publish/, "publish"], [/German state '([^']*)'/, "state"],
  [/time zone '([^']*)'/, "tz"], [/must be in order/, "order"], [/at least one weekday/, "noday"],
  [/needs 'hours'/, "hours"], [/needs 'status'/, "status"], [/needs a value/, "value"], [/should match pattern/, "id"],
  [/^([\w.]+): Field required/, "required"], [/at least 1 item/, "empty"], [/neither an address nor/, "customer"],
  [/between 0 and 8760/, "due"], [/stop every clock/, "pause"],
];

let H; // the administration's helpers (buildForm, list, cache, options)

export function autoError(error) {
  if (error && error.status === 409) return t("auto.err.exists");
  if (!(error && error.status === 400 && error.body && error.body.message)) return errorText(error);
  const parts = String(error.body.message).split("; ").map((part) => {
    for (const [pattern, key] of REFUSALS) {
      const found = part.match(pattern);
      if (found) return t(`auto.err.${key}`, { value: found[1] || "" });
    }
    return part;
  });
  return t("err.validation", { detail: parts.join("; ") });
}

const opt = (list, prefix) => list.map((v) => ({ value: v, label: t(`${prefix}.${v}`) }));
const statusOpts = () => statuses().map((s) => ({ value: s.id, label: s[lang()] }));
const prioOpts = () => priorities().map((p) => ({ value: p.id, label: p[lang()] }));
const agentOpts = () => (H.cache.agents || []).map((a) => ({ value: a.username, label: a.name || a.username }));
const queueOpts = () => (H.cache.queues || []).map((q) => ({ value: q.id, label: q.name }));
const VALUES = {
  set_status: statusOpts, set_priority: prioOpts, set_queue: queueOpts, set_assignee: agentOpts,
  send_template: () => (H.cache.templates || []).map((x) => ({ value: x.id, label: x.name })),
  notify: () => [{ value: "assignee", label: t("auto.notify.assignee") },
    ...agentOpts().map((o) => ({ value: `agent:${o.value}`, label: `${t("ticket.assignee")}: ${o.label}` })),
    ...queueOpts().map((o) => ({ value: `queue:${o.value}`, label: `${t("ticket.queue")}: ${o.label}` }))],
};

// A value control fitting the action (or condition) kind: a select where the values are known, else text.
function valueControl(kind, value, name) {
  if (VALUES[kind]) {
    const options = VALUES[kind]();
    if (value && !options.some((o) => o.value === value)) options.push({ value, label: value });
    return selectEl(options, value || (options[0] && options[0].value), { name });
  }
  const input = h("input", { name, value: value || "", autocomplete: "off", disabled: kind === "unassign" });
  if (kind === "set_due_in_hours") Object.assign(input, { type: "number", min: "0", step: "0.5" });
  return input;
}

// An editable list of rows (conditions, actions): each row's li has read(); rows are added and removed.
function rows(legend, name, items, blank, makeRow) {
  const ol = h("ol", { class: "conditions", "data-rows": name });
  const read = () => [...ol.children].map((li) => li.read());
  const render = (list) => replace(ol, ...list.map((item, i) => {
    const li = makeRow(item, `${name}.${i}`);
    li.classList.add("condition");
    li.append(h("button", { type: "button", class: "btn btn-small btn-quiet", text: t("remove"),
      "aria-label": t("auto.remove", { what: legend, n: i + 1 }), on: { click: () => render(read().filter((_, j) => j !== i)) } }));
    return li;
  }));
  render(items || []);
  const el = h("fieldset", { class: "side-group" }, h("legend", { text: legend }), ol,
    h("button", { type: "button", class: "btn btn-small", text: t("auto.add", { what: legend }), on: { click: () => {
      render([...read(), structuredClone(blank)]);
      ol.lastChild.querySelector("select, input").focus();
    } } }));
  return { el, read };
}

function inline(label, control) {
  return field(label, control, { cls: "field-inline" });
}

function actionRow(kinds) {
  return (item, prefix) => {
    const kind = selectEl(opt(kinds, "auto.act"), item.kind, { name: `${prefix}.kind` });
    const slot = h("span", { class: "value-slot" });
    let value;
    const draw = (v) => {
      value = valueControl(kind.value, v, `${prefix}.value`);
      replace(slot, inline(t("adm.cond.value"), value));
    };
    kind.addEventListener("change", () => draw(""));
    draw(item.value);
    const li = h("li", {}, inline(t("auto.action"), kind), slot);
    li.read = () => ({ kind: kind.value, value: kind.value === "unassign" ? "" : String(value.value).trim() });
    return li;
  };
}

function conditionRow(item, prefix) {
  const name = selectEl(opt(FIELDS, "auto.field"), item.field, { name: `${prefix}.field` });
  const op = selectEl(opt(OPS, "auto.op"), item.op || "is", { name: `${prefix}.op` });
  const slot = h("span", { class: "value-slot" });
  let value;
  const draw = (v) => {
    value = valueControl(BY_FIELD[name.value] || "text", v, `${prefix}.value`);
    value.disabled = op.value === "is_set" || op.value === "not_set";
    replace(slot, inline(t("adm.cond.value"), value));
  };
  name.addEventListener("change", () => draw(""));
  op.addEventListener("change", () => draw(value.value));
  draw(item.value);
  const li = h("li", {}, inline(t("adm.cond.field"), name), inline(t("adm.cond.op"), op), slot);
  li.read = () => ({ field: name.value, op: op.value, value: value.disabled ? "" : String(value.value).trim() });
  return li;
}

function mailConditionRow(item, prefix) {
  const name = selectEl(H.COND_FIELDS.map((f) => ({ value: f, label: t(`cond.${f}`) })), item.field, { name: `${prefix}.field` });
  const op = selectEl(H.COND_OPS.map((o) => ({ value: o, label: t(`op.${o}`) })), item.op || "contains", { name: `${prefix}.op` });
  const header = h("input", { name: `${prefix}.header`, value: item.header || "", autocomplete: "off" });
  const value = h("input", { name: `${prefix}.value`, value: item.value || "", autocomplete: "off" });
  const headerField = inline(t("adm.cond.header"), header);
  const sync = () => { headerField.hidden = name.value !== "header"; value.disabled = op.value === "exists"; };
  name.addEventListener("change", sync);
  op.addEventListener("change", sync);
  sync();
  const li = h("li", {}, inline(t("adm.cond.field"), name), headerField, inline(t("adm.cond.op"), op), inline(t("adm.cond.value"), value));
  li.read = () => ({ field: name.value, op: op.value, value: value.disabled ? "" : value.value,
    ...(name.value === "header" ? { header: header.value.trim() } : {}) });
  return li;
}

// ------------------------------------------------------------------ lists

const COLUMNS = {
  triggers: [["order", (x) => x.order], ["name", (x) => x.name], ["event", (x) => t(`auto.ev.${x.event}`)],
    ["enabled", (x) => t(x.enabled ? "yes" : "no")], ["actions", (x) => x.actions.map((a) => t(`auto.act.${a.kind}`)).join(", ")]],
  macros: [["name", (x) => x.name], ["owner", (x) => x.owner || t("auto.shared")],
    ["actions", (x) => x.actions.map((a) => t(`auto.act.${a.kind}`)).join(", ")]],
  "sla-policies": [["order", (x) => x.order], ["name", (x) => x.name], ["enabled", (x) => t(x.enabled ? "yes" : "no")],
    ["region", (x) => x.calendar.holidays_region || "–"]],
};

export async function section(container, kind, id, helpers) {
  H = helpers;
  const [items] = await Promise.all([H.list(kind), H.cache.templates ? null : H.list("templates")]);
  if (!id) {
    const cols = COLUMNS[kind];
    return replace(container,
      h("div", { class: "page-head" }, h("h2", { text: t(`adm.${kind}`) }),
        h("a", { class: "btn btn-primary", href: href(["admin", kind, "new"]), text: t("adm.new") })),
      h("div", { class: "table-wrap" }, h("table", { class: "data" },
        h("thead", {}, h("tr", {}, cols.map(([c]) => h("th", { scope: "col", text: t(`auto.col.${c}`) })))),
        h("tbody", {}, items.map((item) => h("tr", {}, cols.map(([c, show]) => (c === "name"
          ? h("td", {}, h("a", { href: href(["admin", kind, item.id]), text: show(item) }))
          : h("td", { text: String(show(item)) })))))))));
  }
  const creating = id === "new";
  const item = creating ? structuredClone(BLANK[kind]) : items.find((i) => i.id === id);
  if (!item) return replace(container, h("p", { class: "error-box", text: t("adm.notfound") }));
  const parts = EDITORS[kind](item, creating);
  const error = h("div", { class: "form-error", role: "alert" });
  const form = h("form", { class: "card rule-form", novalidate: true }, parts.nodes, error,
    h("div", { class: "actions" },
      creating ? null : h("button", { type: "button", class: "btn btn-danger", text: t("delete"), on: { click: remove } }),
      h("a", { class: "btn btn-quiet", href: href(["admin", kind]), text: t("cancel") }),
      h("button", { type: "submit", class: "btn btn-primary", text: t("save") })));
  const path = `admin/${kind}`;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      if (creating) await api(path, { method: "POST", body: parts.read() });
      else await api(`${path}/${encodeURIComponent(id)}`, { method: "PUT", body: parts.read() });
      toast(t("saved"), "success");
      navigate(["admin", kind]);
    } catch (err) {
      error.textContent = autoError(err);
      markInvalid(form, err);
    }
  });
  async function remove() {
    if (!(await confirmDialog(t("adm.delete.confirm", { name: item.name }), { danger: true, ok: t("delete") }))) return;
    try {
      await api(`${path}/${encodeURIComponent(id)}`, { method: "DELETE" });
      toast(t("deleted"), "success");
      navigate(["admin", kind]);
    } catch (err) {
      error.textContent = autoError(err);
    }
  }
  const what = t(`auto.${kind}.one`);
  replace(container, h("p", {}, h("a", { class: "back-link", href: href(["admin", kind]), text: t("adm.back") })),
    h("h2", { text: creating ? t("adm.new.title", { what }) : `${what}: ${item.name}` }),
    parts.aside ? h("div", { class: "rule-layout" }, form, parts.aside(items, item.id)) : form);
}

const BLANK = {
  triggers: { order: 100, enabled: true, event: "customer_replied", match: "all", business_hours: "any", stop: false,
    conditions: [], mail_conditions: [], actions: [{ kind: "add_tag", value: "" }] },
  macros: { owner: null, actions: [{ kind: "set_status", value: "waiting_customer" }] },
  "sla-policies": { order: 100, enabled: true, queues: [], customers: [], targets: { "*": { first_response_hours: 8 } },
    calendar: { tz: "Europe/Berlin", holidays_region: "DE", extra_holidays: [], monday: ["08:00-17:00"], tuesday: ["08:00-17:00"],
      wednesday: ["08:00-17:00"], thursday: ["08:00-17:00"], friday: ["08:00-17:00"], saturday: [], sunday: [] },
    pause_in: ["waiting_customer"], warn_before_minutes: 60, show_to_customer: false },
};

const prioName = (p) => (p === "*" ? t("auto.prio.all") : priorityLabel(p));
const key = () => ({ name: "id", label: t("adm.id"), key: true, hint: t("adm.id.hint") });

const EDITORS = {
  triggers(item, creating) {
    const none = { value: "", label: t("none") };
    const basics = H.buildForm([key(), { name: "name", label: t("auto.name") },
      { name: "event", label: t("auto.event"), type: "select", options: () => [
        { group: t("auto.ev.ticket"), options: opt(EVENTS, "auto.ev") }, { group: t("auto.ev.time"), options: opt(TIME_EVENTS, "auto.ev") }] },
      { name: "hours", label: t("auto.hours"), type: "number", nullable: true, step: "0.5", min: "0", hint: t("auto.hours.hint") },
      { name: "status", label: t("ticket.status"), type: "select", nullable: true, options: () => [none, ...statusOpts()],
        hint: t("auto.status.hint") },
      { name: "order", label: t("adm.rule.order"), type: "number", hint: t("adm.rule.order.hint") },
      { name: "match", label: t("adm.rule.match"), type: "select",
        options: () => [{ value: "all", label: t("adm.rule.match.all") }, { value: "any", label: t("adm.rule.match.any") }] },
      { name: "business_hours", label: t("auto.bh"), type: "select", options: () => opt(["any", "inside", "outside"], "auto.bh") },
      { name: "enabled", label: t("adm.rule.enabled"), type: "checkbox" },
      { name: "stop", label: t("auto.stop"), type: "checkbox", hint: t("auto.stop.hint") },
    ], item, creating);
    const event = basics.controls.get("event").el;
    const sync = () => {
      const timed = TIME_EVENTS.includes(event.value);
      basics.controls.get("hours").el.closest(".field").hidden = !timed || event.value === "sla_warning";
      basics.controls.get("status").el.closest(".field").hidden = !["status_changed", "in_status"].includes(event.value);
    };
    event.addEventListener("change", sync);
    sync();
    const conds = rows(t("auto.conditions"), "conditions", item.conditions, { field: "tag", op: "is", value: "" }, conditionRow);
    const mail = rows(t("auto.mail_conditions"), "mail_conditions", item.mail_conditions,
      { field: "subject", op: "contains", value: "" }, mailConditionRow);
    const acts = rows(t("auto.actions"), "actions", item.actions, { kind: "add_tag", value: "" }, actionRow(KINDS));
    const read = () => {
      const out = basics.read(item);
      if (!TIME_EVENTS.includes(out.event) || out.event === "sla_warning") out.hours = null;
      if (!["status_changed", "in_status"].includes(out.event)) out.status = null;
      return { ...out, conditions: conds.read(), mail_conditions: mail.read(), actions: acts.read() };
    };
    return { nodes: [h("div", { class: "form-grid" }, basics.nodes),
      h("p", { class: "muted", text: t("auto.mail_conditions.hint") }), conds.el, mail.el, acts.el], read,
    aside: (saved, originalId) => dryRun(read, saved, originalId) };
  },
  macros(item, creating) {
    const basics = H.buildForm([key(), { name: "name", label: t("auto.name") },
      { name: "owner", label: t("auto.owner"), type: "select", nullable: true, hint: t("auto.owner.hint"),
        options: () => [{ value: "", label: t("auto.shared") }, ...agentOpts()] }], item, creating);
    const acts = rows(t("auto.actions"), "actions", item.actions, { kind: "add_tag", value: "" },
      actionRow(KINDS.filter((k) => k !== "publish")));
    return { nodes: [h("div", { class: "form-grid" }, basics.nodes), acts.el],
      read: () => ({ ...basics.read(item), actions: acts.read() }) };
  },
  "sla-policies"(item, creating) {
    const basics = H.buildForm([key(), { name: "name", label: t("auto.name") },
      { name: "order", label: t("adm.rule.order"), type: "number", hint: t("auto.sla.order.hint") },
      { name: "enabled", label: t("adm.rule.enabled"), type: "checkbox" },
      { name: "queues", label: t("auto.sla.queues"), type: "multi", wide: true, options: queueOpts, hint: t("auto.sla.all") },
      { name: "customers", label: t("auto.sla.customers"), type: "list", wide: true, hint: t("auto.sla.customers.hint") },
      { heading: t("auto.sla.calendar") },
      { name: "calendar.tz", label: t("auto.sla.tz") },
      { name: "calendar.holidays_region", label: t("auto.sla.region"), type: "select", options: () => [
        { value: "", label: t("auto.sla.region.none") }, { value: "DE", label: t("auto.sla.region.DE") },
        ...STATES.map((s) => ({ value: `DE-${s}`, label: t(`auto.state.${s}`) }))] },
      { name: "calendar.extra_holidays", label: t("auto.sla.extra"), type: "list", wide: true, hint: t("auto.sla.extra.hint") },
      ...DAYS.map((d) => ({ name: `calendar.${d}`, label: t(`auto.day.${d}`), type: "list", hint: d === "monday" ? t("auto.sla.hours.hint") : null })),
      { heading: t("auto.sla.more") },
      { name: "pause_in", label: t("auto.sla.pause"), type: "multi", wide: true,
        options: () => statusOpts().filter((s) => s.value !== "closed" && s.value !== "trash") },
      { name: "warn_before_minutes", label: t("auto.sla.warn"), type: "number", step: "5", min: "0" },
      { name: "show_to_customer", label: t("auto.sla.show"), type: "checkbox", hint: t("auto.sla.show.hint") },
    ], item, creating);
    // Targets: business hours per priority (row) and clock (column); an empty row keeps no clock for it.
    const cells = PRIOS.map((p) => [p, CLOCKS.map((c) => h("input", { type: "number", min: "0", step: "0.5", name: `targets.${p}.${c}`,
      value: item.targets[p] && item.targets[p][c] ? String(item.targets[p][c]) : "", "aria-label": `${prioName(p)}: ${t(`auto.sla.${c}`)}` }))]);
    const table = h("fieldset", { class: "side-group" }, h("legend", { text: t("auto.sla.targets") }),
      h("p", { class: "muted", text: t("auto.sla.targets.hint") }),
      h("table", { class: "data sla-targets" }, h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("ticket.priority") }),
        CLOCKS.map((c) => h("th", { scope: "col", text: t(`auto.sla.${c}`) })))),
      h("tbody", {}, cells.map(([p, inputs]) => h("tr", {}, h("th", { scope: "row", text: prioName(p) }),
        inputs.map((i) => h("td", {}, i)))))));
    const read = () => {
      const out = basics.read(item);
      out.targets = {};
      for (const [p, inputs] of cells) {
        const set = Object.fromEntries(inputs.filter((i) => i.value !== "").map((i, n) => [i.name.split(".")[2], Number(i.value)]));
        if (Object.keys(set).length) out.targets[p] = set;
      }
      return out;
    };
    return { nodes: [h("div", { class: "form-grid" }, basics.nodes), table], read };
  },
};

// ------------------------------------------------------------------ trigger dry run on a ticket

function shown(name, value) {
  if (Array.isArray(value)) return value.join(", ") || "–";
  if (value === null || value === undefined || value === "") return "–";
  if (name === "status") return statusLabel(value);
  if (name === "priority") return priorityLabel(value);
  return String(value);
}

function dryRun(readTrigger, saved, originalId) {
  const ticket = h("input", { name: "ticket", autocomplete: "off", placeholder: "T-2026-000123" });
  const event = selectEl(opt(EVENTS, "auto.ev"), "customer_replied", { name: "dry_event" });
  const status = selectEl(statusOpts(), "open", { name: "dry_status" });
  const tag = h("input", { name: "dry_tag", autocomplete: "off" });
  const useDraft = h("input", { type: "checkbox", name: "use_draft", checked: true });
  const statusField = field(t("ticket.status"), status);
  const tagField = field(t("auto.field.tag"), tag);
  const sync = () => { statusField.hidden = event.value !== "status_changed"; tagField.hidden = event.value !== "tag_added"; };
  event.addEventListener("change", sync);
  sync();
  const out = h("div", { class: "dry-result", "aria-live": "polite" });
  async function run(e) {
    e.preventDefault();
    if (!ticket.value.trim()) {
      replace(out, h("p", { class: "form-error", text: t("auto.dry.needticket") }));
      return ticket.focus();
    }
    const body = { ticket: ticket.value.trim(), event: event.value };
    if (event.value === "status_changed") body.status = status.value;
    if (event.value === "tag_added") body.tag = tag.value.trim();
    if (useDraft.checked) {
      const draft = readTrigger();
      body.triggers = [...saved.filter((x) => x.id !== originalId && x.id !== draft.id && x.enabled), draft];
    }
    replace(out, h("p", { text: t("loading") }));
    try {
      const r = await api("admin/triggers/dry-run", { method: "POST", body });
      const changes = Object.entries(r.changes);
      replace(out, 
        h("h3", { class: "h-small", text: t("auto.dry.fired") }),
        r.fired.length ? h("ul", { class: "dry-fired" }, r.fired.map((f) => h("li", {}, h("strong", { text: f.name }))))
          : h("p", { class: "muted", text: t("auto.dry.none") }),
        h("h3", { class: "h-small", text: t("auto.dry.why") }),
        h("ul", { class: "dry-reasons" }, r.reasons.map((x) => h("li", { text: reasonText(x) }))),
        changes.length ? h("h3", { class: "h-small", text: t("auto.dry.changes") }) : null,
        changes.length ? h("dl", { class: "facts" }, changes.map(([k, [before, after]]) => [
          h("dt", { text: has(`auto.field.${k}`) ? t(`auto.field.${k}`) : k }),
          h("dd", { text: `${shown(k, before)} → ${shown(k, after)}` })])) : null,
        r.effects.length ? h("ul", {}, r.effects.map((x) => h("li", { text: `${t(`auto.act.${x.kind}`)}: ${x.value}` }))) : null);
    } catch (err) {
      replace(out, h("p", { class: "form-error", role: "alert",
        text: err && err.status === 404 ? t("auto.dry.noticket") : autoError(err) }));
    }
  }
  const form = h("form", { class: "card dry-run", novalidate: true, "aria-label": t("auto.dry.title") },
    h("h3", { text: t("auto.dry.title") }), h("p", { class: "muted", text: t("auto.dry.intro") }),
    field(t("auto.dry.ticket"), ticket), field(t("auto.event"), event), statusField, tagField,
    field(t("auto.dry.usedraft"), useDraft),
    h("button", { type: "submit", class: "btn btn-primary", text: t("auto.dry.run") }), out);
  form.addEventListener("submit", run);
  return form;
}

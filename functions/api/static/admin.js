// Administration (role admin): mailboxes (auto-responder with live preview), queues, rules (editor and dry run),
// templates, agents, team settings; triggers, macros and SLA policies come with import() when opened.

import { h, replace, clear, uid } from "./dom.js";
import { t, has, lang } from "./i18n.js";
import "./i18n-views.js";
import { api } from "./http.js";
import { navigate, href } from "./router.js";
import { state, statuses, priorities, loadSession, statusLabel, priorityLabel, queueName, agentName } from "./store.js";
import { field, selectEl, setTitle, toast, errorText, markInvalid, confirmDialog, loading, failed } from "./ui.js";
import { auditSection } from "./privacy.js";
import { reasonText } from "./macros.js";

const SECTIONS = ["mailboxes", "queues", "rules", "templates", "triggers", "macros", "sla-policies", "agents", "settings", "audit"];
const AUTOMATION = ["triggers", "macros", "sla-policies"];
const COND_FIELDS = ["from", "from_name", "from_domain", "to", "recipient", "cc", "subject", "body", "mailbox",
  "has_attachment", "attachment_name", "spam_verdict", "virus_verdict", "spf", "dkim", "dmarc", "header"];
const COND_OPS = ["contains", "equals", "starts_with", "ends_with", "regex", "not_contains", "exists"];
const FLAGS = ["spam", "private", "personal", "prio", "suppress_autoreply", "stop"];

let cache = {}; // section → items, for selects (queues, agents, mailboxes)

function get(obj, path) {
  return path.split(".").reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);
}

function put(obj, path, value) {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== "object" || o[k] === null) o[k] = {};
    o = o[k];
  }
  o[keys[keys.length - 1]] = value;
}

function lang2() {
  return [{ value: "de", label: "Deutsch" }, { value: "en", label: "English" }];
}

async function list(section) {
  const result = await api(`admin/${section}`);
  cache[section] = result.items;
  return result.items;
}

// ------------------------------------------------------------------ generic forms from field specs

function control(spec, value, creating) {
  const name = spec.name;
  const props = { name, autocomplete: "off" };
  if (spec.type === "checkbox") return h("input", { ...props, type: "checkbox", checked: !!value });
  if (spec.type === "select") {
    return selectEl(spec.options(), value === null || value === undefined ? "" : value, props);
  }
  if (spec.type === "textarea") {
    const area = h("textarea", { ...props, rows: spec.rows || "6" });
    area.value = value || "";
    return area;
  }
  if (spec.type === "multi") {
    const chosen = new Set(value || []);
    const box = h("fieldset", { class: "multi", name, "data-multi": name },
      h("legend", { class: "sr-only", text: spec.label }),
      spec.options().map((o) => h("label", { class: "check-pill" },
        h("input", { type: "checkbox", value: o.value, checked: chosen.has(o.value) }), h("span", { text: o.label }))));
    return box;
  }
  if (spec.type === "list") return h("input", { ...props, value: (value || []).join(", ") });
  return h("input", { ...props, type: spec.type || "text", value: value === null || value === undefined ? "" : String(value),
    readOnly: !!(spec.key && !creating), step: spec.step || null, min: spec.min || null });
}

function readControl(spec, el) {
  if (spec.type === "checkbox") return el.checked;
  if (spec.type === "multi") return [...el.querySelectorAll("input:checked")].map((i) => i.value);
  if (spec.type === "list") return el.value.split(",").map((s) => s.trim()).filter(Boolean);
  if (spec.type === "number") return el.value === "" ? (spec.nullable ? null : undefined) : Number(el.value);
  const value = el.value.trim();
  if (value === "" && spec.nullable) return null;
  return spec.type === "textarea" ? el.value : value;
}

function buildForm(specs, item, creating) {
  const controls = new Map();
  const nodes = specs.map((spec) => {
    if (spec.heading) return h("h3", { class: "form-heading field-wide", text: spec.heading });
    const el = control(spec, get(item, spec.name), creating);
    controls.set(spec.name, { spec, el });
    if (spec.type === "multi") {
      return h("div", { class: ["field", spec.wide && "field-wide"] }, h("span", { class: "field-label", text: spec.label }), el,
        spec.hint ? h("small", { class: "hint", text: spec.hint }) : null);
    }
    return field(spec.label, el, { hint: spec.hint, wide: spec.wide || spec.type === "textarea" });
  });
  function read(base) {
    const out = structuredClone(base || {});
    for (const { spec, el } of controls.values()) {
      const value = readControl(spec, el);
      if (value !== undefined) put(out, spec.name, value);
    }
    return out;
  }
  return { nodes, controls, read };
}

// ------------------------------------------------------------------ resources

const queueOptions = (none) => [...(none ? [{ value: "", label: t("none") }] : []),
  ...(cache.queues || []).map((q) => ({ value: q.id, label: q.name }))];
const mailboxOptions = (none) => [...(none ? [{ value: "", label: t("none") }] : []),
  ...(cache.mailboxes || []).map((m) => ({ value: m.id, label: m.name ? `${m.name} (${m.address})` : m.address }))];
const agentOptions = (none) => [...(none ? [{ value: "", label: t("none") }] : []),
  ...(cache.agents || []).map((a) => ({ value: a.username, label: a.name || a.username }))];

function specsFor(section) {
  const key = { name: "id", label: t("adm.id"), key: true, hint: t("adm.id.hint") };
  if (section === "mailboxes") {
    return [key,
      { name: "address", label: t("adm.mb.address"), type: "email" },
      { name: "name", label: t("adm.mb.name") },
      { name: "default_queue", label: t("adm.mb.queue"), type: "select", options: () => queueOptions(true), nullable: true },
      { name: "default_project", label: t("adm.mb.project"), nullable: true },
      { name: "language", label: t("adm.language"), type: "select", options: lang2 },
      { name: "outgoing_address", label: t("adm.mb.outgoing"), type: "email", nullable: true, hint: t("adm.mb.outgoing.hint") },
      { name: "active", label: t("adm.active"), type: "checkbox" },
      { name: "import_from", label: t("adm.mb.importfrom"), type: "date", nullable: true, hint: t("adm.mb.importfrom.hint") },
      { name: "close_on_import", label: t("adm.mb.closeonimport"), type: "checkbox" },
      { name: "remind_after_days", label: t("adm.remind"), type: "number", nullable: true, step: "0.5", min: "0" },
      { name: "close_after_days", label: t("adm.closeafter"), type: "number", nullable: true, step: "0.5", min: "0" },
      { name: "signature", label: t("adm.mb.signature"), type: "textarea", rows: "4", hint: t("adm.mb.signature.hint"), preview: true },
      { heading: t("adm.mb.autoreply") },
      { name: "autoreply", label: t("adm.mb.autoreply.on"), type: "checkbox", wide: true },
      { name: "autoreply_subject.de", label: t("adm.mb.subject.de"), wide: true },
      { name: "autoreply_body.de", label: t("adm.mb.body.de"), type: "textarea", preview: true },
      { name: "autoreply_subject.en", label: t("adm.mb.subject.en"), wide: true },
      { name: "autoreply_body.en", label: t("adm.mb.body.en"), type: "textarea", preview: true }];
  }
  if (section === "queues") {
    return [key,
      { name: "name", label: t("adm.q.name") },
      { name: "responsible", label: t("adm.q.responsible"), type: "multi", options: () => agentOptions(false),
        hint: t("adm.q.responsible.hint"), wide: true },
      { name: "notify_address", label: t("adm.q.notify"), type: "email", nullable: true },
      { name: "mailbox", label: t("adm.q.mailbox"), type: "select", options: () => mailboxOptions(true), nullable: true,
        hint: t("adm.q.mailbox.hint") },
      { name: "first_response_hours", label: t("adm.q.firstresponse"), type: "number", nullable: true, step: "0.5", min: "0" },
      { name: "remind_after_days", label: t("adm.remind"), type: "number", nullable: true, step: "0.5", min: "0" },
      { name: "close_after_days", label: t("adm.closeafter"), type: "number", nullable: true, step: "0.5", min: "0" },
      { name: "assignment", label: t("adm.q.assignment"), type: "select",
        options: () => ["off", "round_robin", "least_open"].map((m) => ({ value: m, label: t(`adm.q.assignment.${m}`) })) },
      { name: "assign_only_present", label: t("adm.q.present"), type: "checkbox" }];
  }
  if (section === "templates") {
    return [key,
      { name: "name", label: t("adm.tpl.name") },
      { name: "language", label: t("adm.language"), type: "select", options: lang2 },
      { name: "kind", label: t("adm.tpl.kind"), type: "select",
        options: () => ["reply", "reminder", "close", "autoreply"].map((k) => ({ value: k, label: t(`adm.tpl.kind.${k}`) })) },
      { name: "subject", label: t("adm.tpl.subject"), wide: true },
      { name: "body", label: t("adm.tpl.body"), type: "textarea", rows: "10", preview: true },
      { name: "mailboxes", label: t("adm.tpl.mailboxes"), type: "multi", wide: true, hint: t("adm.tpl.scope.hint"),
        options: () => (cache.mailboxes || []).map((m) => ({ value: m.id, label: m.name || m.address })) },
      { name: "projects", label: t("adm.tpl.projects"), type: "list", hint: t("ticket.tags.hint") }];
  }
  return [];
}

const BLANK = {
  mailboxes: { language: "de", autoreply: true, active: true, close_on_import: false,
    autoreply_subject: { de: "Ihre Anfrage [#{TICKET}]: {BETREFF}", en: "Your request [#{TICKET}]: {SUBJECT}" },
    autoreply_body: { de: "", en: "" } },
  queues: { responsible: [], assignment: "off", assign_only_present: false },
  templates: { language: "de", kind: "reply", mailboxes: [], projects: [], subject: "" },
  rules: { order: 100, enabled: true, match: "all", conditions: [{ field: "subject", op: "contains", value: "" }],
    actions: { tags: [] } },
};

// ------------------------------------------------------------------ variables preview

function sampleValues(language, mailboxName) {
  const company = (cache.settings && cache.settings.company) || "Beispiel GmbH";
  const en = language === "en";
  const subject = en ? "Delivery missing" : "Lieferung fehlt";
  return {
    TICKET: "T-2026-000123", BETREFF: subject, SUBJECT: subject, NAME: "Erika Mustermann",
    EMAIL: "erika@kunde.example", QUEUE: "Support", MAILBOX: mailboxName || company,
    AGENT: (state.me && state.me.name) || "Anna Admin", PHONE: (state.me && state.me.phone) || "+49 931 123456", STATUS: en ? "open" : "offen",
    LINK: `${location.origin}${location.pathname}#/t/…`, COMPANY: company,
    DATE: new Intl.DateTimeFormat(en ? "en-GB" : "de-DE", { dateStyle: "medium" }).format(new Date()), DAYS: "3",
  };
}

export function renderVariables(text, values) {
  return (text || "").replace(/\{([A-Z_]{2,20})\}/g, (all, name) => (name in values ? values[name] : all));
}

function variableBar(getTarget) {
  const vars = (state.meta && state.meta.variables) || {};
  return h("div", { class: "variables field-wide" },
    h("span", { class: "field-label", text: t("adm.variables") }),
    h("div", { class: "var-list" }, Object.entries(vars).map(([name, description]) => h("button", {
      type: "button", class: "btn btn-small btn-quiet", title: description, text: `{${name}}`,
      on: { mousedown: (e) => e.preventDefault(), click: () => {
        const target = getTarget();
        if (!target) return;
        const start = target.selectionStart ?? target.value.length;
        target.setRangeText(`{${name}}`, start, target.selectionEnd ?? start, "end");
        target.dispatchEvent(new Event("input"));
        target.focus();
      } } }))));
}

function attachPreviews(form, controls) {
  let last = null;
  for (const { spec, el } of controls.values()) {
    if (!spec.preview) continue;
    const out = h("pre", { class: "preview-box", "aria-live": "polite" });
    const previewId = uid("pv");
    out.id = previewId;
    const language = spec.name.endsWith(".en") ? "en" : spec.name.endsWith(".de") ? "de"
      : (controls.get("language") && controls.get("language").el.value) || "de";
    const mailboxName = () => (controls.has("address") && controls.get("name").el.value) || "";
    const update = () => { out.textContent = renderVariables(el.value, sampleValues(language, mailboxName())); };
    el.addEventListener("input", update);
    el.addEventListener("focus", () => { last = el; });
    update();
    const wrap = el.closest(".field");
    wrap.append(h("div", { class: "var-preview" }, h("span", { class: "field-label", text: t("adm.preview") }), out));
  }
  return () => last || [...controls.values()].find((c) => c.spec.preview)?.el;
}

// The auto-reply exactly as the ingest would send it (POST admin/mailboxes/preview renders it with the same
// function), in German and in English, for the form as it is now; unknown variables are named.
function sentPreview(form, current) {
  const boxes = ["de", "en"].map((language) => ({ language,
    subject: h("p", { class: "preview-subject", "data-preview-subject": language }),
    text: h("pre", { class: "preview-box", "data-preview-text": language }) }));
  const warning = h("p", { class: "form-error", role: "status" });
  let timer = 0;
  let seq = 0;
  async function update() {
    const mine = ++seq;
    const mailbox = current();
    try {
      const results = await Promise.all(boxes.map((b) => api("admin/mailboxes/preview", { method: "POST",
        body: { mailbox, content_language: b.language } })));
      if (mine !== seq) return;
      results.forEach((r, i) => {
        boxes[i].subject.textContent = r.subject;
        boxes[i].text.textContent = r.text;
      });
      warning.textContent = results[0].unknown.length
        ? t("adm.mb.sent.unknown", { vars: results[0].unknown.map((v) => `{${v}}`).join(", ") }) : "";
    } catch (err) {
      if (mine === seq) warning.textContent = errorText(err);
    }
  }
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(update, 300); });
  update();
  return h("section", { class: "field-wide sent-preview", "data-sent-preview": "" },
    h("h3", { class: "h-small", text: t("adm.mb.sent") }), warning,
    boxes.map((b) => h("div", { class: "sent-preview-lang" },
      h("span", { class: "field-label", text: t(`adm.mb.sent.${b.language}`) }), b.subject, b.text)));
}

// ------------------------------------------------------------------ CRUD sections

async function crud(container, section, id) {
  const items = await list(section);
  if (!id) {
    const columns = { mailboxes: ["id", "address", "name", "autoreply"], queues: ["id", "name", "responsible"],
      templates: ["id", "name", "language", "kind"], rules: ["order", "name", "enabled", "actions"] }[section];
    const cell = (item, col) => {
      const value = item[col];
      if (col === "actions") return Object.entries(value).filter(([, v]) => v && (!Array.isArray(v) || v.length))
        .map(([k, v]) => (v === true ? t(`adm.rule.${k}`) : `${t(`adm.rule.${k}`)}: ${[].concat(v).join(", ")}`)).join("; ");
      if (typeof value === "boolean") return value ? t("yes") : t("no");
      if (Array.isArray(value)) return value.join(", ") || "–";
      return value === null || value === undefined ? "–" : String(value);
    };
    replace(container,
      h("div", { class: "page-head" }, h("h2", { text: t(`adm.${section}`) }),
        h("a", { class: "btn btn-primary", href: href(["admin", section, "new"]), text: t("adm.new") })),
      h("div", { class: "table-wrap" }, h("table", { class: "data" },
        h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", text: t(`adm.col.${c}`) })))),
        h("tbody", {}, items.map((item) => h("tr", {}, columns.map((c, i) => (i === (section === "rules" ? 1 : 0)
          ? h("td", {}, h("a", { href: href(["admin", section, item.id]), text: cell(item, c) }))
          : h("td", { text: cell(item, c) })))))))));
    return;
  }
  const creating = id === "new";
  const item = creating ? structuredClone(BLANK[section]) : items.find((i) => i.id === id);
  if (!item) {
    replace(container, h("p", { class: "error-box", text: t("adm.notfound") }));
    return;
  }
  if (section === "rules") return ruleEditor(container, item, creating, items);
  const { nodes, controls, read } = buildForm(specsFor(section), item, creating);
  const error = h("div", { class: "form-error field-wide", role: "alert" });
  const form = h("form", { class: "form-grid card", novalidate: true }, nodes, error,
    h("div", { class: "actions field-wide" },
      creating ? null : h("button", { type: "button", class: "btn btn-danger", text: t("delete"), on: { click: remove } }),
      h("a", { class: "btn btn-quiet", href: href(["admin", section]), text: t("cancel") }),
      h("button", { type: "submit", class: "btn btn-primary", text: t("save") })));
  const target = attachPreviews(form, controls);
  if (section === "mailboxes" || section === "templates") {
    const firstPreview = [...controls.values()].find((c) => c.spec.preview);
    firstPreview.el.closest(".field").before(variableBar(target));
  }
  if (section === "mailboxes") error.before(sentPreview(form, () => read(structuredClone(item))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const body = read(item);
    try {
      if (creating) await api(`admin/${section}`, { method: "POST", body });
      else await api(`admin/${section}/${encodeURIComponent(id)}`, { method: "PUT", body });
      toast(t("saved"), "success");
      await loadSession().catch(() => {});
      navigate(["admin", section]);
    } catch (err) {
      error.textContent = errorText(err);
      markInvalid(form, err);
    }
  });
  async function remove() {
    if (!(await confirmDialog(t("adm.delete.confirm", { name: item.name || item.id }), { danger: true, ok: t("delete") }))) return;
    try {
      await api(`admin/${section}/${encodeURIComponent(id)}`, { method: "DELETE" });
      toast(t("deleted"), "success");
      navigate(["admin", section]);
    } catch (err) {
      error.textContent = errorText(err);
    }
  }
  replace(container, h("p", {}, h("a", { class: "back-link", href: href(["admin", section]), text: t("adm.back") })),
    h("h2", { text: creating ? t("adm.new.title", { what: t(`adm.${section}.one`) }) : `${t(`adm.${section}.one`)}: ${item.name || item.id}` }),
    form);
}

// ------------------------------------------------------------------ rules: editor + dry run

function ruleEditor(container, rule, creating, saved) {
  const draft = structuredClone(rule);
  draft.actions = { tags: [], ...draft.actions };
  const error = h("div", { class: "form-error", role: "alert" });
  const conditions = h("ol", { class: "conditions" });
  const basics = buildForm([
    { name: "id", label: t("adm.id"), key: true, hint: t("adm.id.hint") },
    { name: "name", label: t("adm.rule.name") },
    { name: "order", label: t("adm.rule.order"), type: "number", hint: t("adm.rule.order.hint") },
    { name: "enabled", label: t("adm.rule.enabled"), type: "checkbox" },
    { name: "match", label: t("adm.rule.match"), type: "select",
      options: () => [{ value: "all", label: t("adm.rule.match.all") }, { value: "any", label: t("adm.rule.match.any") }] },
  ], draft, creating);
  const none = { value: "", label: t("adm.rule.unchanged") };
  const actions = buildForm([
    { name: "actions.queue", label: t("ticket.queue"), type: "select", options: () => [none, ...queueOptions(false)], nullable: true },
    { name: "actions.status", label: t("ticket.status"), type: "select", nullable: true,
      options: () => [none, ...statuses().map((s) => ({ value: s.id, label: s[lang()] }))] },
    { name: "actions.priority", label: t("ticket.priority"), type: "select", nullable: true,
      options: () => [none, ...priorities().map((p) => ({ value: p.id, label: p[lang()] }))] },
    { name: "actions.assignee", label: t("ticket.assignee"), type: "select", options: () => [none, ...agentOptions(false)], nullable: true },
    { name: "actions.tags", label: t("ticket.tags"), type: "list", hint: t("ticket.tags.hint") },
    { name: "actions.project", label: t("ticket.project"), nullable: true },
    { name: "actions.type", label: t("ticket.type"), nullable: true },
    ...FLAGS.map((flag) => ({ name: `actions.${flag}`, label: t(`adm.rule.${flag}`), type: "checkbox" })),
  ], draft, creating);

  function conditionRow(cond, index) {
    const fieldSel = selectEl(COND_FIELDS.map((f) => ({ value: f, label: t(`cond.${f}`) })), cond.field, { name: `conditions.${index}.field` });
    const opSel = selectEl(COND_OPS.map((o) => ({ value: o, label: t(`op.${o}`) })), cond.op || "contains", { name: `conditions.${index}.op` });
    const header = h("input", { name: `conditions.${index}.header`, value: cond.header || "", placeholder: "List-Unsubscribe",
      autocomplete: "off" });
    const value = h("input", { name: `conditions.${index}.value`, value: cond.value || "", autocomplete: "off" });
    const headerField = field(t("adm.cond.header"), header, { cls: "field-inline" });
    const sync = () => {
      headerField.hidden = fieldSel.value !== "header";
      value.disabled = opSel.value === "exists";
    };
    fieldSel.addEventListener("change", sync);
    opSel.addEventListener("change", sync);
    sync();
    return h("li", { class: "condition", "data-index": String(index) },
      field(t("adm.cond.field"), fieldSel, { cls: "field-inline" }),
      headerField,
      field(t("adm.cond.op"), opSel, { cls: "field-inline" }),
      field(t("adm.cond.value"), value, { cls: "field-inline" }),
      h("button", { type: "button", class: "btn btn-small btn-quiet", text: t("remove"),
        "aria-label": t("adm.cond.remove", { n: index + 1 }), on: { click: () => {
          draft.conditions = readConditions().filter((_, i) => i !== index);
          renderConditions();
        } } }));
  }
  function readConditions() {
    return [...conditions.children].map((li) => {
      const index = li.dataset.index;
      const value = (n) => li.querySelector(`[name="conditions.${index}.${n}"]`).value;
      const cond = { field: value("field"), op: value("op"), value: value("op") === "exists" ? "" : value("value") };
      if (cond.field === "header") cond.header = value("header").trim();
      return cond;
    });
  }
  function renderConditions() {
    replace(conditions, ...draft.conditions.map(conditionRow));
  }
  renderConditions();

  function readRule() {
    const out = basics.read(draft);
    out.conditions = readConditions();
    const withActions = actions.read(out);
    const acts = withActions.actions;
    for (const key of Object.keys(acts)) if (acts[key] === null || acts[key] === undefined) delete acts[key];
    return withActions;
  }

  const form = h("form", { class: "card rule-form", novalidate: true },
    h("div", { class: "form-grid" }, basics.nodes),
    h("fieldset", { class: "side-group" }, h("legend", { text: t("adm.rule.conditions") }), conditions,
      h("button", { type: "button", class: "btn btn-small", text: t("adm.cond.add"), on: { click: () => {
        draft.conditions = [...readConditions(), { field: "subject", op: "contains", value: "" }];
        renderConditions();
        conditions.lastChild.querySelector("input[name$='.value']").focus();
      } } })),
    h("fieldset", { class: "side-group" }, h("legend", { text: t("adm.rule.actions") }), h("div", { class: "form-grid" }, actions.nodes)),
    error,
    h("div", { class: "actions" },
      creating ? null : h("button", { type: "button", class: "btn btn-danger", text: t("delete"), on: { click: async () => {
        if (!(await confirmDialog(t("adm.delete.confirm", { name: rule.name }), { danger: true, ok: t("delete") }))) return;
        try {
          await api(`admin/rules/${encodeURIComponent(rule.id)}`, { method: "DELETE" });
          navigate(["admin", "rules"]);
        } catch (err) {
          error.textContent = errorText(err);
        }
      } } }),
      h("a", { class: "btn btn-quiet", href: href(["admin", "rules"]), text: t("cancel") }),
      h("button", { type: "submit", class: "btn btn-primary", text: t("save") })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const body = readRule();
    try {
      if (creating) await api("admin/rules", { method: "POST", body });
      else await api(`admin/rules/${encodeURIComponent(rule.id)}`, { method: "PUT", body });
      toast(t("saved"), "success");
      navigate(["admin", "rules"]);
    } catch (err) {
      error.textContent = errorText(err);
      markInvalid(form, err);
    }
  });

  replace(container, h("p", {}, h("a", { class: "back-link", href: href(["admin", "rules"]), text: t("adm.back") })),
    h("h2", { text: creating ? t("adm.new.title", { what: t("adm.rules.one") }) : `${t("adm.rules.one")}: ${rule.name}` }),
    h("div", { class: "rule-layout" }, form, dryRun(readRule, saved, rule.id)));
}

function dryRun(readRule, saved, originalId) {
  const sender = h("input", { name: "sender", type: "email", autocomplete: "off", placeholder: "kunde@beispiel.de" });
  const senderName = h("input", { name: "sender_name", autocomplete: "off" });
  const to = h("input", { name: "to", autocomplete: "off", value: (cache.mailboxes || [])[0] ? cache.mailboxes[0].address : "" });
  const subject = h("input", { name: "subject", autocomplete: "off" });
  const body = h("textarea", { name: "body", rows: "4" });
  const headers = h("textarea", { name: "headers", rows: "2", placeholder: "List-Unsubscribe: <mailto:x@y>" });
  const raw = h("textarea", { name: "raw", rows: "5", placeholder: t("adm.dry.raw.placeholder") });
  const out = h("div", { class: "dry-result", "aria-live": "polite" });
  const useDraft = h("input", { type: "checkbox", name: "use_draft", checked: true });

  async function run(event) {
    event.preventDefault();
    const payload = {};
    if (raw.value.trim()) payload.raw = raw.value;
    else {
      if (!sender.value.trim()) {
        out.replaceChildren(h("p", { class: "form-error", text: t("adm.dry.needsender") }));
        return sender.focus();
      }
      Object.assign(payload, { sender: sender.value.trim(), sender_name: senderName.value.trim(), subject: subject.value,
        body: body.value, to: to.value.split(",").map((s) => s.trim()).filter(Boolean), headers: {} });
      for (const line of headers.value.split("\n")) {
        const index = line.indexOf(":");
        if (index > 0) payload.headers[line.slice(0, index).trim()] = line.slice(index + 1).trim();
      }
    }
    if (useDraft.checked) {
      const rule = readRule();
      payload.rules = [...saved.filter((r) => r.id !== originalId && r.id !== rule.id), rule];
    }
    out.replaceChildren(h("p", { text: t("loading") }));
    try {
      const result = await api("admin/rules/dry-run", { method: "POST", body: payload });
      const facts = Object.entries(result.result).filter(([, v]) => v !== null && v !== false && !(Array.isArray(v) && !v.length));
      const show = (k, v) => {
        if (v === true) return t("yes");
        if (Array.isArray(v)) return v.join(", ");
        if (k === "status") return statusLabel(v);
        if (k === "priority") return priorityLabel(v);
        if (k === "queue") return queueName(v);
        if (k === "assignee") return agentName(v);
        return String(v);
      };
      const verdict = String(result.autoreply || "");
      out.replaceChildren(
        h("h3", { class: "h-small", text: t("adm.dry.fired") }),
        result.fired.length ? h("ul", {}, result.fired.map((f) => h("li", {}, h("strong", { text: f.name || f.rule || "" }))))
          : h("p", { class: "muted", text: t("adm.dry.none") }),
        h("h3", { class: "h-small", text: t("adm.dry.result") }),
        h("dl", { class: "facts" }, facts.map(([k, v]) => [
          h("dt", { text: has(`adm.rule.${k}`) ? t(`adm.rule.${k}`) : k === "mailbox" ? t("ticket.mailbox") : k }),
          h("dd", { text: show(k, v) })])),
        h("p", {}, h("strong", { text: `${t("adm.dry.autoreply")}: ` }),
          verdict === "yes" ? t("yes") : verdict.startsWith("no") ? t("no") : verdict || "–"), // why: in the reasons below
        // why, in the reader's language (the same format as the trigger test run's reasons)
        (result.reasons || []).length ? h("ul", { class: "dry-reasons" }, result.reasons.map((r) => h("li", { text: reasonText(r) })))
          : result.explanation ? h("pre", { class: "preview-box", text: result.explanation }) : null);
    } catch (err) {
      out.replaceChildren(h("p", { class: "form-error", role: "alert", text: errorText(err) }));
    }
  }
  const form = h("form", { class: "card dry-run", novalidate: true, "aria-label": t("adm.dry.title") },
    h("h3", { text: t("adm.dry.title") }),
    h("p", { class: "muted", text: t("adm.dry.intro") }),
    field(t("adm.dry.sender"), sender), field(t("adm.dry.sendername"), senderName), field(t("adm.dry.to"), to),
    field(t("adm.dry.subject"), subject), field(t("adm.dry.body"), body), field(t("adm.dry.headers"), headers),
    h("details", {}, h("summary", { text: t("adm.dry.rawtoggle") }), field(t("adm.dry.raw"), raw)),
    field(t("adm.dry.usedraft"), useDraft),
    h("button", { type: "submit", class: "btn btn-primary", text: t("adm.dry.run") }), out);
  form.addEventListener("submit", run);
  return form;
}

// ------------------------------------------------------------------ agents

async function agentsSection(container, id) {
  const items = await list("agents");
  if (!id) {
    replace(container,
      h("div", { class: "page-head" }, h("h2", { text: t("adm.agents") }),
        h("a", { class: "btn btn-primary", href: href(["admin", "agents", "new"]), text: t("adm.agent.new") })),
      h("div", { class: "table-wrap" }, h("table", { class: "data" },
        h("thead", {}, h("tr", {}, ["username", "name", "email", "role", "queues", "language", "active"]
          .map((c) => h("th", { scope: "col", text: t(`adm.agent.${c}`) })))),
        h("tbody", {}, items.map((a) => h("tr", { class: a.active ? null : "inactive" },
          h("td", {}, h("a", { href: href(["admin", "agents", a.username]), text: a.username })),
          h("td", { text: a.name }), h("td", { text: a.email }), h("td", { text: t(`role.${a.role}`) }),
          h("td", { text: a.queues.join(", ") || "–" }), h("td", { text: a.language.toUpperCase() }),
          h("td", { text: a.active ? t("yes") : t("no") })))))));
    return;
  }
  const creating = id === "new";
  const agent = creating ? { role: "agent", language: "de", queues: [], active: true } : items.find((a) => a.username === id);
  if (!agent) return replace(container, h("p", { class: "error-box", text: t("adm.notfound") }));
  const specs = [
    { name: "username", label: t("adm.agent.username"), key: true, hint: t("adm.id.hint") },
    { name: "email", label: t("adm.agent.email"), type: "email" },
    { name: "name", label: t("adm.agent.name") },
    { name: "role", label: t("adm.agent.role"), type: "select",
      options: () => [{ value: "agent", label: t("role.agent") }, { value: "admin", label: t("role.admin") }] },
    { name: "language", label: t("adm.language"), type: "select", options: lang2 },
    { name: "queues", label: t("adm.agent.queues"), type: "multi", wide: true, hint: t("adm.agent.queues.hint"),
      options: () => queueOptions(false) },
    creating ? { name: "temporary_password", label: t("adm.agent.password"), type: "password", nullable: true,
      hint: t("adm.agent.password.hint") } : { name: "active", label: t("adm.agent.active"), type: "checkbox" },
    ...(creating ? [] : [{ name: "aliases", label: t("adm.agent.aliases"), type: "list", wide: true,
      hint: t("adm.agent.aliases.hint") }]),
  ];
  const { nodes, read } = buildForm(specs, agent, creating);
  const error = h("div", { class: "form-error field-wide", role: "alert" });
  const form = h("form", { class: "form-grid card", novalidate: true }, nodes, error,
    h("div", { class: "actions field-wide" },
      h("a", { class: "btn btn-quiet", href: href(["admin", "agents"]), text: t("cancel") }),
      h("button", { type: "submit", class: "btn btn-primary", text: creating ? t("adm.agent.create") : t("save") })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const data = read({});
    try {
      if (creating) {
        if (!data.temporary_password) delete data.temporary_password;
        await api("admin/agents", { method: "POST", body: data });
      } else {
        const { email, name, role, queues, language, active, aliases } = data;
        await api(`admin/agents/${encodeURIComponent(agent.username)}`, { method: "PATCH",
          body: { email, name, role, queues, language, active, aliases } });
      }
      toast(t("saved"), "success");
      await loadSession().catch(() => {});
      navigate(["admin", "agents"]);
    } catch (err) {
      error.textContent = errorText(err);
      markInvalid(form, err);
    }
  });
  replace(container, h("p", {}, h("a", { class: "back-link", href: href(["admin", "agents"]), text: t("adm.back") })),
    h("h2", { text: creating ? t("adm.agent.new") : `${t("adm.agents.one")}: ${agent.name || agent.username}` }), form);
}

// ------------------------------------------------------------------ settings

async function settingsSection(container) {
  const settings = await api("admin/settings");
  cache.settings = settings;
  const specs = [
    { name: "company", label: t("adm.set.company") },
    { name: "number_format", label: t("adm.set.number"), hint: t("adm.set.number.hint") },
    { name: "default_queue", label: t("adm.set.defaultqueue"), type: "select", options: () => queueOptions(false) },
    { name: "default_mailbox", label: t("adm.set.defaultmailbox"), type: "select", options: () => mailboxOptions(true),
      nullable: true, hint: t("adm.set.defaultmailbox.hint") },
    { name: "default_language", label: t("adm.set.language"), type: "select", options: lang2 },
    { name: "block_external_content", label: t("adm.set.block"), type: "checkbox", wide: true, hint: t("adm.set.block.hint") },
    { heading: t("adm.set.autoreply") },
    { name: "autoreply_window_hours", label: t("adm.set.window"), type: "number", step: "1", min: "0" },
    { name: "autoreply_max_per_day", label: t("adm.set.maxperday"), type: "number", step: "1", min: "1" },
    { name: "reopen_max_age_days", label: t("adm.set.reopen"), type: "number", step: "1", min: "1", hint: t("adm.set.reopen.hint") },
    { heading: t("adm.set.autoclose") },
    { name: "autoclose.remind_after_days", label: t("adm.remind"), type: "number", step: "0.5", min: "0" },
    { name: "autoclose.close_after_days", label: t("adm.closeafter"), type: "number", step: "0.5", min: "0" },
    { name: "autoclose.send_reminder", label: t("adm.set.sendreminder"), type: "checkbox" },
    { name: "autoclose.send_close_mail", label: t("adm.set.sendclose"), type: "checkbox" },
    { name: "autoclose.raise_priority_when_overdue", label: t("adm.set.raise"), type: "checkbox" },
    { name: "autoclose.deadline_warning_minutes", label: t("adm.set.warnminutes"), type: "number", step: "5", min: "0", hint: t("adm.set.warnminutes.hint") },
    { heading: t("adm.set.customers") },
    { name: "customer_links", label: t("adm.set.links"), type: "checkbox", hint: t("adm.set.links.hint") },
    { name: "customer_link_days", label: t("adm.set.linkdays"), type: "number", step: "1", min: "1" },
    { name: "customer_link_text.de", label: t("adm.set.linktext.de"), wide: true, hint: t("adm.set.linktext.hint") },
    { name: "customer_link_text.en", label: t("adm.set.linktext.en"), wide: true },
    { name: "quote_replies", label: t("adm.set.quote"), type: "checkbox", hint: t("adm.set.quote.hint") },
    { name: "signature", label: t("adm.set.signature"), type: "textarea", rows: "4", hint: t("adm.set.signature.hint") },
    { name: "notification_sender", label: t("ntf.set.sender"), type: "email", nullable: true, hint: t("ntf.set.sender.hint") },
    { heading: t("adm.set.privacy") },
    { name: "privacy_url.de", label: t("adm.set.privacyurl.de"), type: "url", hint: t("adm.set.privacyurl.hint") },
    { name: "privacy_url.en", label: t("adm.set.privacyurl.en"), type: "url" },
    { name: "trash_retention_days", label: t("adm.set.trash"), type: "number", step: "1", min: "0" },
    { name: "retention_years", label: t("adm.set.retention"), type: "number", step: "1", min: "0", hint: t("adm.set.retention.hint") },
    { name: "retention_action", label: t("adm.set.retention.action"), type: "select", options: () => [
      { value: "delete", label: t("priv.mode.delete") }, { value: "anonymize", label: t("priv.mode.anonymize") }] },
  ];
  const { nodes, read } = buildForm(specs, settings, false);
  const error = h("div", { class: "form-error field-wide", role: "alert" });
  const form = h("form", { class: "form-grid card", novalidate: true }, nodes, error,
    h("div", { class: "actions field-wide" }, h("button", { type: "submit", class: "btn btn-primary", text: t("save") })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      await api("admin/settings", { method: "PUT", body: read(settings) });
      toast(t("saved"), "success");
      await loadSession().catch(() => {});
    } catch (err) {
      const sender = err && err.status === 400 && err.body && err.body.field === "notification_sender";
      error.textContent = sender ? t("ntf.set.sender.domain") : errorText(err);
      markInvalid(form, err);
    }
  });
  replace(container, h("h2", { text: t("adm.settings") }), form);
}

// ------------------------------------------------------------------ mount

export function mount(main, route) {
  const section = SECTIONS.includes(route.parts[1]) ? route.parts[1] : "mailboxes";
  const id = route.parts[2];
  setTitle(`${t("nav.admin")}: ${t(`adm.${section}`)}`);
  const content = h("div", { class: "admin-content" });
  main.append(h("div", { class: "page admin" },
    h("h1", { text: t("nav.admin") }),
    h("div", { class: "admin-layout" },
      h("nav", { class: "subnav", "aria-label": t("nav.admin") }, SECTIONS.map((s) => h("a", {
        href: href(["admin", s]), class: "subnav-link", "aria-current": s === section ? "page" : null, text: t(`adm.${s}`) }))),
      content)));
  loading(content);
  const run = async () => {
    try {
      await Promise.all([
        cache.queues ? null : list("queues"), cache.agents ? null : list("agents"),
        cache.mailboxes ? null : list("mailboxes"),
        cache.settings ? null : api("admin/settings").then((s) => { cache.settings = s; }),
      ]);
      if (section === "agents") await agentsSection(content, id);
      else if (section === "settings") await settingsSection(content);
      else if (section === "audit") await auditSection(content);
      else if (AUTOMATION.includes(section)) {
        const automation = await import("./automation.js");
        await automation.section(content, section, id, { buildForm, list, cache, COND_FIELDS, COND_OPS });
      }
      else await crud(content, section, id);
    } catch (error) {
      failed(content, error, run);
    }
  };
  run();
  return () => { cache = {}; clear(content); };
}

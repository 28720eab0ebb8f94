// The ticket list ("Ticketliste"): filters, tabs, sorting, paging, unread markers, polling, batch actions.

import { h, replace, clear } from "./dom.js";
import { t, lang, fmtDate, fmtRelative, fmtDateTime } from "./i18n.js";
import { api } from "./http.js";
import { navigate, setQuery } from "./router.js";
import {
  state, statuses, priorities, queues, agents, tags, projects, statusLabel, priorityLabel, queueName, agentName, ACTIVE,
} from "./store.js";
import {
  toast, showError, busy, statusBadge, prioBadge, slaBadge, tagChip, selectEl, field, setTitle, confirmDialog, errorText,
} from "./ui.js";
import { setViewKeys } from "./keys.js";
import { onLive, isLive, typingOn, countNew, watchSearch } from "./live.js";
import { setupChecklist } from "./setup.js";
import { savedViews } from "./savedviews.js";

const POLL_MS = 20000; // only while the live socket is down
const LIVE_DEBOUNCE_MS = 150; // changes arriving together refresh the list once
const LIVE_RETRY_MS = 1000; // a new ticket not listed yet (the list's index catching up): one more read
const PAGE = 50;
const TABS = ["inbox", "mine", "unread", "review", "trash"];
const ALL = ["new", "open", "waiting_internal", "waiting_customer", "clarify", "closed", "trash"];

// The seeds' "Freitextfelder" over the list's columns: column key → query parameter (and filter) name.
const COLUMN_FILTER_OF = { number: "number", subject: "subject", customer: "customer_text" };
const COLUMN_FILTERS = Object.values(COLUMN_FILTER_OF);
// Sorts (issue 15): none hides a ticket; each has its usual order ("asc"/"desc" turns it round).
const SORTS = ["updated", "created", "due", "priority", "number", "customer"];
const USUAL_ORDER = { updated: "desc", created: "desc", due: "asc", priority: "desc", number: "desc", customer: "asc" };
const PRIORITY_RANK = { lowest: 0, low: 1, medium: 2, high: 3, urgent: 4 };
// A saved view's criteria the filter bar has no control for (kept in the URL, sent with the list's query).
const FLAGS = ["unread", "review", "private", "personal", "prio", "mailbox", "customer"];

function readFilters(query) {
  const tab = TABS.includes(query.get("tab")) ? query.get("tab") : "inbox";
  let list = (query.get("status") || "").split(",").filter((s) => ALL.includes(s));
  if (tab === "trash") list = ["trash"];
  if (!list.length) list = [...ACTIVE];
  return {
    tab,
    statuses: list,
    q: query.get("q") || "",
    number: query.get("number") || "",
    subject: query.get("subject") || "",
    customer_text: query.get("customer_text") || "",
    tag: query.get("tag") || "",
    queue: query.get("queue") || "",
    assignee: query.get("assignee") || "",
    priority: query.get("priority") || "",
    project: query.get("project") || "",
    sla: ["running", "warning", "breached"].includes(query.get("sla")) ? query.get("sla") : "",
    sort: SORTS.includes(query.get("sort")) ? query.get("sort") : "updated",
    order: ["asc", "desc"].includes(query.get("order")) ? query.get("order") : "",
    limit: Math.min(100, Math.max(1, Number(query.get("limit")) || PAGE)),
    view: query.get("view") || "",
    extra: Object.fromEntries(FLAGS.filter((k) => query.get(k)).map((k) => [k, query.get(k)])),
  };
}

function hasExtraFilters(f) {
  return !!(f.tag || f.queue || f.assignee || f.priority || f.project || f.sla || f.sort !== "updated" || f.order || !sameSet(f.statuses, ACTIVE) ||
    COLUMN_FILTERS.some((key) => f[key]));
}

// A text filter applies 350 ms after the last keystroke, or at once on Enter.
function onTyped(input, apply) {
  let timer = 0;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(apply, 350); });
  input.addEventListener("keydown", (event) => { if (event.key === "Enter") { clearTimeout(timer); apply(); } });
}

// The list's order in the browser, for merging a re-read first page into several loaded pages (the
// server's order is the truth: this only has to agree with it).
function listOrder(f) {
  const sign = (f.order || USUAL_ORDER[f.sort]) === "asc" ? 1 : -1;
  const who = (i) => (i.customer ? i.customer.name || i.customer.address || "" : "~").toLowerCase();
  const value = {
    updated: (i) => i.updated_at, created: (i) => i.created_at, number: (i) => i.created_at,
    due: (i) => i.due_at || "", priority: (i) => PRIORITY_RANK[i.priority] ?? -1, customer: who,
  }[f.sort];
  return (a, b) => {
    if (f.sort === "due" && !a.due_at !== !b.due_at) return a.due_at ? -1 : 1; // without a due date: last
    const x = value(a), y = value(b);
    if (x !== y) return (typeof x === "string" ? x.localeCompare(y) : x - y) * sign;
    return a.updated_at < b.updated_at ? 1 : -1;
  };
}

function sameSet(a, b) {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function urlQuery(f) {
  const out = {};
  if (f.tab !== "inbox") out.tab = f.tab;
  if (f.tab !== "trash" && !sameSet(f.statuses, ACTIVE)) out.status = f.statuses.join(",");
  for (const key of ["q", ...COLUMN_FILTERS, "tag", "queue", "assignee", "priority", "project", "sla"]) if (f[key]) out[key] = f[key];
  if (f.sort !== "updated") out.sort = f.sort;
  if (f.order) out.order = f.order;
  if (f.limit !== PAGE) out.limit = String(f.limit);
  if (f.view) out.view = f.view;
  return { ...out, ...f.extra };
}

function apiQuery(f, cursor) {
  const query = { ...f.extra, limit: f.limit, sort: f.sort, lang: lang(), cursor, q: f.q.trim(), tag: f.tag.trim(),
    queue: f.queue, assignee: f.assignee, priority: f.priority, project: f.project, sla: f.sla || undefined };
  if (f.order) query.order = f.order;
  for (const key of COLUMN_FILTERS) if (f[key].trim()) query[key] = f[key].trim();
  if (f.tab === "mine") query.assignee = "me";
  if (f.tab === "unread") query.unread = "true";
  if (f.tab === "review") query.review = "true";
  if (f.statuses.length === ALL.length) query.status = "all";
  else if (!sameSet(f.statuses, ACTIVE)) query.status = f.statuses.join(",");
  return query;
}

export function mount(main, route) {
  const filters = readFilters(route.query);
  let items = [];
  let cursor = null;
  let partial = false;
  let pagesLoaded = 0;
  let cursorIndex = -1;
  const selected = new Set();
  const fresh = new Set();
  let loadingMore = false;
  let timer = 0;
  let observer = null;
  let alive = true;
  let requestNo = 0;
  let liveTimer = 0;
  let stale = false; // a live change arrived while the tab was hidden
  const expected = new Set(); // tickets the socket announced as created, until a read lists them (or gave up)

  setTitle(t("inbox.title"));

  // ---------------------------------------------------------------- filter bar
  const search = h("input", { type: "search", name: "q", value: filters.q, placeholder: t("inbox.search.placeholder"),
    "data-search": "", autocomplete: "off" });
  // The tags in use (GET meta) as suggestions; any text still filters.
  const tagList = h("datalist", { id: "inbox-tags" }, tags().map((tag) => h("option", { value: tag })));
  const tagInput = h("input", { type: "text", name: "tag", value: filters.tag, autocomplete: "off",
    list: "inbox-tags" });
  const queueSelect = selectEl([{ value: "", label: t("all.f") }, ...queues().map((q) => ({ value: q.id, label: q.name }))],
    filters.queue, { name: "queue" });
  const assigneeSelect = selectEl([{ value: "", label: t("all.m") },
    ...agents().map((a) => ({ value: a.username, label: a.name }))], filters.assignee, { name: "assignee" });
  const prioSelect = selectEl([{ value: "", label: t("all.f") },
    ...priorities().map((p) => ({ value: p.id, label: p[lang()] }))], filters.priority, { name: "priority" });
  const slaSelect = selectEl([{ value: "", label: t("all.n") },
    ...["running", "warning", "breached"].map((value) => ({ value, label: t(`sla.${value}`) }))], filters.sla, { name: "sla" });
  // Projects in use (GET meta); only offered when the team files tickets under projects at all.
  const projectSelect = selectEl([{ value: "", label: t("all.n") }, ...projects().map((p) => ({ value: p, label: p }))],
    filters.project, { name: "project" });
  const sortSelect = selectEl(SORTS.map((value) => ({ value, label: t(`inbox.sort.${value}`) })), filters.sort,
    { name: "sort" });
  const orderSelect = selectEl([{ value: "desc", label: t("inbox.order.desc") }, { value: "asc", label: t("inbox.order.asc") }],
    filters.order || USUAL_ORDER[filters.sort], { name: "order" });

  const statusBoxes = statuses().map((s) => h("input", { type: "checkbox", name: "status", value: s.id,
    checked: filters.statuses.includes(s.id) }));
  const allBox = h("input", { type: "checkbox", name: "status-all", checked: filters.statuses.length === ALL.length });

  const tabButtons = TABS.map((tab) => h("button", { type: "button", class: "tab", "data-tab": tab,
    "aria-pressed": String(!filters.view && filters.tab === tab), text: t(`inbox.tab.${tab}`), on: { click: () => {
      Object.assign(filters, { tab, view: "", extra: {} });
      filters.statuses = tab === "trash" ? ["trash"] : [...ACTIVE];
      syncStatusBoxes();
      pressTabs();
      reload();
    } } }));
  function pressTabs() {
    for (const b of tabButtons) b.setAttribute("aria-pressed", String(!filters.view && b.dataset.tab === filters.tab));
    views.render();
  }
  // The saved views (built in: the tabs above): a view sets the filter bar as it was saved.
  const views = savedViews(Object.fromEntries(TABS.map((tab, i) => [tab, tabButtons[i]])), {
    active: () => filters.view,
    query: () => Object.fromEntries(Object.entries(apiQuery(filters))
      .filter(([k, v]) => v && !["limit", "lang", "cursor"].includes(k))),
    open: (view) => {
      const q = (view && view.query) || {};
      Object.assign(filters, { tab: "inbox", view: view ? view.id : "", sort: q.sort || "updated", order: q.order || "",
        extra: Object.fromEntries(FLAGS.filter((k) => q[k]).map((k) => [k, q[k]])) });
      filters.statuses = q.status === "all" ? [...ALL] : q.status ? q.status.split(",") : [...ACTIVE];
      for (const key of ["q", ...COLUMN_FILTERS, "tag", "queue", "assignee", "priority", "project", "sla"]) filters[key] = q[key] || "";
      search.value = filters.q;
      tagInput.value = filters.tag;
      for (const input of columnInputs) input.value = filters[input.name];
      [queueSelect.value, assigneeSelect.value, prioSelect.value, projectSelect.value, slaSelect.value] =
        [filters.queue, filters.assignee, filters.priority, filters.project, filters.sla];
      sortSelect.value = filters.sort;
      orderSelect.value = filters.order || USUAL_ORDER[filters.sort];
      syncStatusBoxes();
      pressTabs();
      reload();
    },
  });

  function syncStatusBoxes() {
    for (const box of statusBoxes) box.checked = filters.statuses.includes(box.value);
    allBox.checked = filters.statuses.length === ALL.length;
  }

  const statusFieldset = h("fieldset", { class: "status-filter" },
    h("legend", { text: t("inbox.status") }),
    h("label", { class: "check-pill" }, allBox, h("span", { text: t("inbox.status.all") })),
    statuses().map((s, i) => h("label", { class: ["check-pill", `pill-${s.id}`] }, statusBoxes[i],
      h("span", { text: s[lang()] }))));

  allBox.addEventListener("change", () => {
    filters.statuses = allBox.checked ? [...ALL] : [...ACTIVE];
    syncStatusBoxes();
    reload();
  });
  for (const box of statusBoxes) {
    box.addEventListener("change", () => {
      let list = statusBoxes.filter((b) => b.checked).map((b) => b.value);
      if (!list.length) list = [...ACTIVE];
      filters.statuses = list;
      if (filters.tab === "trash" && !sameSet(list, ["trash"])) {
        filters.tab = "inbox";
        pressTabs();
      }
      syncStatusBoxes();
      reload();
    });
  }

  onTyped(search, () => { filters.q = search.value; reload(); });
  tagInput.addEventListener("change", () => { filters.tag = tagInput.value.trim(); reload(); });
  for (const [select, key] of [[queueSelect, "queue"], [assigneeSelect, "assignee"], [prioSelect, "priority"], [projectSelect, "project"], [slaSelect, "sla"]]) {
    select.addEventListener("change", () => { filters[key] = select.value; reload(); });
  }
  sortSelect.addEventListener("change", () => {
    Object.assign(filters, { sort: sortSelect.value, order: "" });
    orderSelect.value = USUAL_ORDER[filters.sort];
    reload();
  });
  orderSelect.addEventListener("change", () => {
    filters.order = orderSelect.value === USUAL_ORDER[filters.sort] ? "" : orderSelect.value;
    reload();
  });

  const resetButton = h("button", { type: "button", class: "btn btn-quiet", text: t("inbox.reset"), on: { click: () => {
    Object.assign(filters, { q: "", tag: "", queue: "", assignee: "", priority: "", project: "", sla: "", sort: "updated",
      order: "", view: "", extra: {} });
    pressTabs();
    for (const key of COLUMN_FILTERS) filters[key] = "";
    for (const input of columnInputs) input.value = "";
    if (filters.tab !== "trash") filters.statuses = [...ACTIVE];
    search.value = tagInput.value = "";
    queueSelect.value = assigneeSelect.value = prioSelect.value = projectSelect.value = slaSelect.value = "";
    sortSelect.value = "updated";
    orderSelect.value = USUAL_ORDER.updated;
    syncStatusBoxes();
    reload();
  } } });

  const toolbar = h("section", { class: "filters", "aria-label": t("inbox.filters") },
    h("div", { class: "filters-row" },
      h("div", { class: "tabs", role: "group", "aria-label": t("inbox.views") }, tabButtons),
      h("div", { class: "search-box" }, field(t("inbox.search"), search, { cls: "field-inline" })),
      h("button", { type: "button", class: "btn", text: "CSV", title: t("csv.title"), "data-csv": "", on: { click: async (e) => {
        (await import("./download.js")).downloadCsv("export/tickets", apiQuery(filters), e.currentTarget); } } }),
      h("a", { class: "btn btn-primary", href: "#/new", text: t("nav.new") })),
    views.el,
    h("details", { class: "more-filters", open: !matchMedia("(max-width: 760px)").matches || hasExtraFilters(filters) },
      h("summary", { text: t("inbox.morefilters") }),
      h("div", { class: "filters-row" },
        statusFieldset),
      h("div", { class: "filters-row filters-selects" },
        field(t("ticket.tag"), tagInput, { cls: "field-inline" }),
        tagList,
        field(t("ticket.queue"), queueSelect, { cls: "field-inline" }),
        field(t("ticket.assignee"), assigneeSelect, { cls: "field-inline" }),
        field(t("ticket.priority"), prioSelect, { cls: "field-inline" }),
        projects().length || filters.project ? field(t("ticket.project"), projectSelect, { cls: "field-inline" }) : null,
        field(t("sla"), slaSelect, { cls: "field-inline" }),
        field(t("inbox.sort"), sortSelect, { cls: "field-inline" }),
        field(t("inbox.order"), orderSelect, { cls: "field-inline" }),
        resetButton)));

  // ---------------------------------------------------------------- batch bar
  const countLabel = h("strong", { class: "batch-count", "aria-live": "polite" });
  const blockSender = h("input", { type: "checkbox", name: "block_sender" });
  const markSelect = selectEl([
    { value: "", label: t("batch.mark.choose") },
    { value: "mark_private", label: t("batch.mark_private") },
    { value: "mark_personal", label: t("batch.mark_personal") },
    { value: "mark_prio", label: t("batch.mark_prio") },
    { value: "unmark_private", label: t("batch.unmark_private") },
    { value: "unmark_personal", label: t("batch.unmark_personal") },
    { value: "unmark_prio", label: t("batch.unmark_prio") },
    { value: "mark_read", label: t("batch.mark_read") },
    { value: "mark_unread", label: t("batch.mark_unread") },
  ], "", { name: "mark" });
  const setKind = selectEl([
    { value: "status", label: t("ticket.status") }, { value: "queue", label: t("ticket.queue") },
    { value: "assignee", label: t("ticket.assignee") }, { value: "priority", label: t("ticket.priority") },
    { value: "macro", label: t("batch.macro") },
  ], "status", { name: "set-kind" });
  const setValue = h("select", { name: "set-value" });
  let macros = null; // GET macros, when "Makro" is first chosen
  async function fillSetValue() {
    const kind = setKind.value;
    let options = [];
    if (kind === "macro") {
      try {
        macros = macros || (await api("macros")).items;
      } catch (error) {
        return showError(error);
      }
      if (setKind.value !== "macro") return;
      options = macros.map((m) => ({ value: m.id, label: m.name }));
    }
    if (kind === "status") options = statuses().map((s) => ({ value: s.id, label: s[lang()] }));
    if (kind === "queue") options = queues().map((q) => ({ value: q.id, label: q.name }));
    if (kind === "assignee") {
      options = [{ value: "", label: t("ticket.assignee.none") }, ...agents().map((a) => ({ value: a.username, label: a.name }))];
    }
    if (kind === "priority") options = priorities().map((p) => ({ value: p.id, label: p[lang()] }));
    replace(setValue, ...options.map((o) => h("option", { value: o.value, text: o.label })));
  }
  setKind.addEventListener("change", fillSetValue);
  fillSetValue();
  const results = h("div", { class: "batch-results", hidden: true });

  const batchBar = h("section", { class: "batch-bar", hidden: true, "aria-label": t("batch.title") },
    countLabel,
    h("button", { type: "button", class: "btn btn-danger", "data-action": "spam", text: t("batch.spam"),
      on: { click: (e) => runBatch("spam", null, e.currentTarget) } }),
    field(t("batch.block"), blockSender),
    h("button", { type: "button", class: "btn", "data-action": "archive_unread", text: t("batch.archive"),
      on: { click: (e) => runBatch("archive_unread", null, e.currentTarget) } }),
    h("div", { class: "batch-group" },
      field(t("batch.mark"), markSelect, { cls: "field-inline" }),
      h("button", { type: "button", class: "btn", text: t("apply"), on: { click: (e) => {
        if (markSelect.value) runBatch(markSelect.value, null, e.currentTarget);
      } } })),
    h("div", { class: "batch-group" },
      field(t("batch.set"), setKind, { cls: "field-inline" }),
      field(t("batch.value"), setValue, { cls: "field-inline sr-label" }),
      h("button", { type: "button", class: "btn", text: t("apply"), on: { click: (e) =>
        runBatch(setKind.value, setValue.value || null, e.currentTarget) } })),
    h("button", { type: "button", class: "btn btn-quiet", text: t("batch.clear"), on: { click: () => {
      selected.clear();
      renderRows();
    } } }));

  async function runBatch(action, value, button, { confirmTyping = false } = {}) {
    const chosen = items.filter((item) => selected.has(item.id));
    if (!chosen.length) return;
    const block = action === "spam" && blockSender.checked;
    if (block) {
      const ok = await confirmDialog(t("batch.block.confirm", { n: chosen.length }), { danger: true, ok: t("batch.spam") });
      if (!ok) return;
    }
    const body = { items: chosen.map((item) => ({ id: item.id, version: item.version })), action };
    if (value !== null && value !== undefined) body.value = value;
    if (action === "assignee") body.value = value || null;
    if (block) body.block_sender = true;
    if (confirmTyping) body.confirm_typing = true; // tickets a colleague is answering (skipped before) too
    let result;
    try {
      result = await busy(button, () => api("tickets/batch", { method: "POST", body }));
    } catch {
      return;
    }
    const failedItems = result.results.filter((r) => !r.ok);
    selected.clear();
    for (const f of failedItems) selected.add(f.id);
    if (failedItems.length) {
      results.hidden = false;
      replace(results, h("p", { role: "alert", text: t("batch.partial", { ok: result.ok, failed: result.failed }) }),
        h("ul", {}, failedItems.map((f) => {
          const item = items.find((i) => i.id === f.id);
          return h("li", {}, h("strong", { text: item ? item.number : f.id }), ": ",
            t(`batch.error.${f.error}`, { message: f.message || "", names: (f.typing || []).map(agentName).join(", ") }));
        })),
        result.skipped ? h("button", { type: "button", class: "btn btn-small", text: t("batch.confirm.typing"),
          on: { click: (e) => runBatch(action, value, e.currentTarget, { confirmTyping: true }) } }) : null,
        h("button", { type: "button", class: "btn btn-small", text: t("close"), on: { click: () => { results.hidden = true; } } }));
    } else {
      results.hidden = true;
      toast(t("batch.done", { n: result.ok }), "success");
    }
    if (result.blocked_senders && result.blocked_senders.length) {
      toast(t("batch.blocked", { senders: result.blocked_senders.join(", ") }), "info");
    }
    markSelect.value = "";
    reload({ keepSelection: true });
  }

  // ---------------------------------------------------------------- table
  const selectAll = h("input", { type: "checkbox", "aria-label": t("inbox.selectall") });
  selectAll.addEventListener("change", () => {
    if (selectAll.checked) for (const item of items) selected.add(item.id);
    else selected.clear();
    renderRows();
  });
  const tbody = h("tbody");
  const columns = [
    ["number", t("col.number")], ["subject", t("col.subject")], ["customer", t("col.customer")],
    ["queue", t("col.queue")], ["assignee", t("col.assignee")], ["status", t("col.status")],
    ["priority", t("col.priority")], ["tags", t("col.tags")], ["updated", t("col.updated")], ["due", t("col.due")],
  ];
  const columnInputs = [];
  const columnFilter = (key, label) => {
    const name = COLUMN_FILTER_OF[key];
    if (!name) return h("td", { class: `c-${key}` });
    const input = h("input", { type: "search", name, value: filters[name], autocomplete: "off",
      "aria-label": t("inbox.colfilter", { column: label }), placeholder: t("inbox.colfilter.placeholder") });
    onTyped(input, () => { if (filters[name] !== input.value) { filters[name] = input.value; reload(); } });
    columnInputs.push(input);
    return h("td", { class: `c-${key}` }, input);
  };
  const table = h("table", { class: "tickets" },
    h("caption", { class: "sr-only", text: t("inbox.caption") }),
    h("thead", {}, h("tr", {}, h("th", { class: "c-select", scope: "col" }, selectAll),
      columns.map(([key, label]) => h("th", { scope: "col", class: `c-${key}`, text: label }))),
    h("tr", { class: "column-filters" }, h("td", { class: "c-select" }),
      columns.map(([key, label]) => columnFilter(key, label)))),
    tbody);
  const status = h("p", { class: "list-status", role: "status" });
  const more = h("button", { type: "button", class: "btn", text: t("inbox.more"), hidden: true,
    on: { click: () => loadMore() } });
  const sentinel = h("div", { class: "sentinel", "aria-hidden": "true" });

  main.append(h("div", { class: "inbox" },
    h("h1", { class: "sr-only", text: t("inbox.title") }),
    setupChecklist(), toolbar, batchBar, results,
    h("div", { class: "table-wrap" }, table),
    h("div", { class: "list-foot" }, status, more), sentinel));

  function row(item, index) {
    const isSelected = selected.has(item.id);
    const box = h("input", { type: "checkbox", checked: isSelected,
      "aria-label": t("inbox.select", { number: item.number }), on: { change: (event) => {
        if (event.target.checked) selected.add(item.id); else selected.delete(item.id);
        updateBatchBar();
        tr.classList.toggle("selected", event.target.checked);
      } } });
    const customer = item.customer ? item.customer.name || item.customer.address : item.customer_name || "";
    const inSubject = item.match && item.match.kind === "subject" && item.subject;
    const link = h("a", { class: "subject-link", href: `#/ticket/${encodeURIComponent(item.id)}`,
      text: inSubject ? null : item.subject || t("ticket.nosubject") }, inSubject ? marked(item.match) : null);
    const flags = [
      item.unread ? h("span", { class: "dot-unread", title: t("flag.unread") }, h("span", { class: "sr-only", text: t("flag.unread") })) : null,
      item.review ? h("span", { class: "flag flag-review", title: t("flag.review"), text: "!" }) : null,
      item.prio ? h("span", { class: "flag flag-prio", title: t("flag.prio"), text: "★" }) : null,
      item.private ? h("span", { class: "flag", title: t("flag.private"), text: t("flag.private.short") }) : null,
      item.personal ? h("span", { class: "flag", title: t("flag.personal"), text: t("flag.personal.short") }) : null,
      slaBadge(item.sla, fmtRelative, fmtDateTime),
    ];
    const subjectLine = h("div", { class: "subject-line" }, flags, link, typingMark(item.id));
    const tr = h("tr", { class: ["ticket-row", item.unread && "unread", isSelected && "selected",
      index === cursorIndex && "cursor", fresh.has(item.id) && "fresh"], "data-id": item.id, "data-status": item.status },
      h("td", { class: "c-select" }, box),
      h("td", { class: "c-number", "data-label": t("col.number") }, h("span", { text: item.number })),
      h("td", { class: "c-subject" }, subjectLine,
        item.match && item.match.snippet && !inSubject ? searchSnippet(item.match)
          : item.preview ? h("span", { class: "preview", text: item.preview.slice(0, 160) }) : null),
      h("td", { class: "c-customer", "data-label": t("col.customer"), title: item.customer ? item.customer.address : "",
        text: customer }),
      h("td", { class: "c-queue", "data-label": t("col.queue"), text: queueName(item.queue) }),
      h("td", { class: "c-assignee", "data-label": t("col.assignee"), text: agentName(item.assignee) || "–" }),
      h("td", { class: "c-status" }, statusBadge(item.status, statusLabel(item.status))),
      h("td", { class: "c-priority" }, prioBadge(item.priority, priorityLabel(item.priority))),
      h("td", { class: "c-tags" }, item.tags.map((tag) => tagChip(tag, (value) => {
        filters.tag = value;
        tagInput.value = value;
        reload();
      }))),
      h("td", { class: "c-updated", "data-label": t("col.updated") },
        h("time", { datetime: item.updated_at, title: fmtDateTime(item.updated_at), text: fmtRelative(item.updated_at) })),
      h("td", { class: ["c-due", item.overdue && "overdue"], "data-label": t("col.due") },
        item.due_at ? h("time", { datetime: item.due_at, title: fmtDateTime(item.due_at),
          text: fmtDate(item.due_at) + (item.overdue ? ` (${t("flag.overdue")})` : "") }) : null));
    tr.addEventListener("click", (event) => {
      if (event.target.closest("a, button, input, label")) return;
      open(item.id);
    });
    return tr;
  }

  // Full-text search (issue 15): where the ticket matched, the matching words marked.
  function searchSnippet(match) {
    const where = t(`search.in.${match.kind}`, { date: match.at ? fmtDateTime(match.at) : "" });
    return h("span", { class: "preview search-snippet" }, h("span", { class: "search-where", text: where }), " ",
      marked(match));
  }

  function marked(match) {
    const pieces = [];
    let at = 0;
    for (const [start, end] of match.highlights) {
      if (start < at) continue;
      if (start > at) pieces.push(match.snippet.slice(at, start));
      pieces.push(h("mark", { text: match.snippet.slice(start, end) }));
      at = end;
    }
    pieces.push(match.snippet.slice(at));
    return pieces;
  }

  // "Someone is writing a reply": a pen after the subject, named in its title.
  function typingMark(id) {
    const people = typingOn(id);
    if (!people.length) return null;
    const names = people.map((p) => agentName(p.user) || p.name).join(", ");
    return h("span", { class: "typing-mark", title: t("live.typing.mark", { names }) },
      h("span", { "aria-hidden": "true", text: "✎" }), h("span", { class: "sr-only", text: t("live.typing.mark", { names }) }));
  }

  function paintTyping() {
    for (const tr of tbody.querySelectorAll("tr[data-id]")) {
      const line = tr.querySelector(".subject-line");
      const old = line.querySelector(".typing-mark");
      const mark = typingMark(tr.dataset.id);
      if (old) old.remove();
      if (mark) line.append(mark);
    }
  }

  // Rows are kept while what they show is unchanged: a live change re-renders only the rows it changed,
  // so a click or a checkbox an agent is pressing on another row is not lost to a rebuilt row.
  const rendered = new Map(); // ticket id → { key, tr }
  function rowKey(item, index) {
    return JSON.stringify([item, selected.has(item.id), index === cursorIndex, fresh.has(item.id),
      queueName(item.queue), agentName(item.assignee)]);
  }

  function renderRows() {
    const kept = new Map();
    const rows = items.map((item, index) => {
      const key = rowKey(item, index);
      const before = rendered.get(item.id);
      const tr = before && before.key === key ? before.tr : row(item, index);
      kept.set(item.id, { key, tr });
      return tr;
    });
    rendered.clear();
    for (const [id, entry] of kept) rendered.set(id, entry);
    rows.forEach((tr, index) => { // only rows not in their place move
      if (tbody.children[index] !== tr) tbody.insertBefore(tr, tbody.children[index] || null);
    });
    while (tbody.children.length > rows.length) tbody.lastElementChild.remove();
    state.list = items.map((item) => item.id);
    state.listQuery = location.hash;
    updateBatchBar();
    const count = items.length;
    status.textContent = count === 0 ? t("inbox.empty")
      : cursor ? t("inbox.count.more", { n: count }) : t("inbox.count", { n: count });
    if (partial && cursor) status.textContent += " " + t("inbox.partial");
    more.hidden = !cursor;
    selectAll.checked = count > 0 && items.every((item) => selected.has(item.id));
    selectAll.indeterminate = !selectAll.checked && items.some((item) => selected.has(item.id));
  }

  function updateBatchBar() {
    const n = items.filter((item) => selected.has(item.id)).length;
    batchBar.hidden = n === 0;
    countLabel.textContent = t("batch.count", { n });
  }

  function open(id, compose) {
    navigate(["ticket", id], compose ? { compose } : null);
  }

  async function fetchPage(pageCursor) {
    const page = await api("tickets", { query: apiQuery(filters, pageCursor) });
    // full-text search: where each ticket matched (issue 15)
    for (const item of page.items) item.match = page.matches ? page.matches[item.id] || null : null;
    return page;
  }

  async function reload({ keepSelection = false } = {}) {
    setTitle(t("inbox.title"));
    watchSearch(Boolean(filters.q.trim())); // a search hears when the index changed (it follows the ticket)
    setQuery(urlQuery(filters));
    state.listQuery = location.hash;
    const mine = ++requestNo;
    if (!keepSelection) selected.clear();
    status.textContent = t("loading");
    table.setAttribute("aria-busy", "true");
    try {
      const page = await fetchPage(null);
      if (mine !== requestNo || !alive) return;
      table.removeAttribute("aria-busy");
      items = page.items;
      cursor = page.cursor;
      partial = page.partial;
      pagesLoaded = 1;
      fresh.clear();
      if (cursorIndex >= items.length) cursorIndex = items.length - 1;
      renderRows();
      watchEnd();
    } catch (error) {
      if (mine !== requestNo || !alive) return;
      table.removeAttribute("aria-busy");
      status.textContent = errorText(error);
    }
  }

  async function loadMore() {
    if (!cursor || loadingMore) return;
    loadingMore = true;
    more.disabled = true;
    const mine = requestNo;
    try {
      const page = await fetchPage(cursor);
      if (mine !== requestNo || !alive) return;
      const known = new Set(items.map((i) => i.id));
      items = items.concat(page.items.filter((i) => !known.has(i.id)));
      cursor = page.cursor;
      partial = page.partial;
      pagesLoaded += 1;
      renderRows();
      watchEnd();
    } catch (error) {
      showError(error);
    } finally {
      loadingMore = false;
      more.disabled = false;
    }
  }

  async function poll({ live = false } = {}) {
    if (loadingMore || !alive) return;
    if (document.hidden) {
      stale = true;
      return;
    }
    stale = false;
    const mine = requestNo;
    let page;
    try {
      page = await fetchPage(null);
    } catch {
      return; // a failed poll is retried on the next tick
    }
    if (mine !== requestNo || !alive) return;
    if (live && expected.size) {
      const missing = [...expected].filter((id) => !page.items.some((item) => item.id === id));
      expected.clear();
      // DynamoDB's indexes follow the table within moments: one more read finds a ticket this one missed.
      // (A ticket the filters leave out is missing for good; one read more costs little.)
      if (missing.length) setTimeout(() => { if (alive) poll({ live: true }); }, LIVE_RETRY_MS);
    }
    const before = new Map(items.map((item) => [item.id, item]));
    const added = page.items.filter((item) => !before.has(item.id));
    const changed = page.items.some((item) => before.has(item.id) && before.get(item.id).version !== item.version);
    if (pagesLoaded <= 1) {
      const vanished = items.some((item) => !page.items.some((p) => p.id === item.id));
      if (!added.length && !changed && !vanished) return;
      items = page.items;
      cursor = page.cursor;
      partial = page.partial;
    } else {
      if (!added.length && !changed) return;
      const byId = new Map(items.map((item) => [item.id, item]));
      for (const item of page.items) byId.set(item.id, item);
      items = [...byId.values()].sort(listOrder(filters));
    }
    for (const item of added) fresh.add(item.id);
    const focusedId = cursorIndex >= 0 && tbody.children[cursorIndex] ? tbody.children[cursorIndex].dataset.id : null;
    if (focusedId) cursorIndex = items.findIndex((item) => item.id === focusedId);
    renderRows();
    if (added.length) {
      toast(t("inbox.new", { n: added.length }), "info");
      if (!live) countNew(added.length); // live, the socket counts the new tickets itself
    }
  }

  // ---------------------------------------------------------------- keyboard
  function moveCursor(delta) {
    if (!items.length) return;
    cursorIndex = Math.max(0, Math.min(items.length - 1, cursorIndex + delta));
    for (const tr of tbody.querySelectorAll("tr.cursor")) tr.classList.remove("cursor");
    const tr = tbody.children[cursorIndex];
    if (tr) {
      tr.classList.add("cursor");
      tr.querySelector(".subject-link").focus();
      tr.scrollIntoView({ block: "nearest" });
    }
    if (cursorIndex >= items.length - 3 && cursor) loadMore();
  }
  function cursorItem() {
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("tr[data-id]");
    const id = focused ? focused.dataset.id : items[cursorIndex] && items[cursorIndex].id;
    return items.find((item) => item.id === id);
  }
  setViewKeys({
    j: () => moveCursor(1),
    k: () => moveCursor(-1),
    o: () => { const item = cursorItem(); if (item) open(item.id); },
    Enter: () => { const item = cursorItem(); if (item) open(item.id); },
    x: () => {
      const item = cursorItem();
      if (!item) return;
      if (selected.has(item.id)) selected.delete(item.id); else selected.add(item.id);
      renderRows();
      moveCursor(0);
    },
    r: () => { const item = cursorItem(); if (item) open(item.id, "reply"); },
    c: () => { const item = cursorItem(); if (item) open(item.id, "comment"); },
    e: async () => {
      const item = cursorItem();
      if (!item) return;
      try {
        await api(`tickets/${encodeURIComponent(item.id)}`, { method: "PATCH", body: { version: item.version, status: "closed" } });
        toast(t("ticket.closed", { number: item.number }), "success");
        reload({ keepSelection: true });
      } catch (error) {
        showError(error);
      }
    },
  });

  // ---------------------------------------------------------------- start
  if ("IntersectionObserver" in window) {
    observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && cursor && items.length) loadMore();
    }, { rootMargin: "300px" });
  }
  // (Re-)observing reports the current state: a short page that leaves the end in view loads the next one.
  function watchEnd() {
    if (!observer || !alive) return;
    observer.unobserve(sentinel);
    if (cursor) observer.observe(sentinel);
  }
  timer = setInterval(() => { if (!isLive()) poll(); }, POLL_MS);
  const onVisible = () => { if (!document.hidden && (stale || !isLive())) poll({ live: isLive() }); };
  // Live: a change this agent may see refreshes the list (its tab, filters and unread marks come from
  // the API); the socket coming back after a gap catches up the same way.
  const offLive = onLive((message) => {
    if (message.type === "typing") paintTyping();
    if (message.type === "ticket" || message.type === "read" || (message.type === "status" && message.live)) views.changed();
    if (message.type === "read") {
      // This agent read a ticket, or marked it unread, in another tab: only its own marks come here.
      const row = items.find((item) => item.id === message.ticket_id);
      if (row && row.unread !== message.unread) {
        row.unread = message.unread;
        renderRows();
      }
      if (filters.tab === "unread" && (row ? !message.unread : message.unread)) {
        clearTimeout(liveTimer);
        liveTimer = setTimeout(() => poll({ live: true }), LIVE_DEBOUNCE_MS);
      }
      return;
    }
    if (message.type === "indexed") {
      // A ticket's search index changed: a search may find it now (its "ticket" message came first).
      if (!filters.q.trim()) return;
      clearTimeout(liveTimer);
      liveTimer = setTimeout(() => poll({ live: true }), LIVE_DEBOUNCE_MS);
      return;
    }
    if (message.type === "ticket" && (message.events || []).some((e) => e.type === "TicketCreated")) {
      expected.add(message.ticket.id);
    }
    if (message.type === "ticket") {
      // A change the list cannot show (a mail's send state, the ticket as listed) needs no re-read.
      const row = items.find((item) => item.id === message.ticket.id);
      const shown = row && row.version === message.ticket.version;
      if (shown && !(message.events || []).length) return;
    }
    if (message.type === "ticket" || (message.type === "status" && message.live)) {
      clearTimeout(liveTimer);
      liveTimer = setTimeout(() => poll({ live: true }), LIVE_DEBOUNCE_MS);
    }
  });
  document.addEventListener("visibilitychange", onVisible);
  reload();
  views.refresh();
  if (route.query.get("focus") === "search") search.focus();

  return () => {
    alive = false;
    watchSearch(false);
    offLive();
    views.stop();
    clearTimeout(liveTimer);
    clearInterval(timer);
    document.removeEventListener("visibilitychange", onVisible);
    if (observer) observer.disconnect();
  };
}

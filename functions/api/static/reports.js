// Reports (GET stats): volume, first response and resolution time, backlog, auto-replies.
// Charts are inline SVG built with DOM calls; every chart has its numbers as a table beside it.

import { h, svg, replace, uid } from "./dom.js";
import { t, lang, fmtDate, fmtNumber, fmtHours } from "./i18n.js";
import { api } from "./http.js";
import { statusLabel, queueName, agentName } from "./store.js";
import { field, selectEl, setTitle, errorText } from "./ui.js";

const VOLUME = [
  { key: "tickets_created", cls: "s1" }, { key: "messages_in", cls: "s2" }, { key: "replies", cls: "s3" },
  { key: "closed", cls: "s4" },
];
const AUTO = [{ key: "autoreplies_sent", cls: "s3" }, { key: "autoreplies_suppressed", cls: "s5" }];

function isoDay(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function niceMax(value) {
  if (value <= 4) return 4;
  const raw = value / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= raw);
  return step * 4;
}

function dataTable(caption, head, rows) {
  return h("details", { class: "chart-data" }, h("summary", { text: t("reports.table") }),
    h("div", { class: "table-wrap" }, h("table", { class: "data" }, h("caption", { class: "sr-only", text: caption }),
      h("thead", {}, h("tr", {}, head.map((label) => h("th", { scope: "col", text: label })))),
      h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell, i) => (i === 0
        ? h("th", { scope: "row", text: cell }) : h("td", { class: "num", text: cell })))))))));
}

function legend(series) {
  return h("ul", { class: "legend" }, series.map((s) => h("li", {},
    h("span", { class: ["swatch", s.cls], "aria-hidden": "true" }), h("span", { text: s.label }))));
}

/** Vertical bars per period; `stacked` stacks the series, else they stand side by side. */
export function columnChart({ title, rows, series, width, stacked = false, height = 240 }) {
  const titleId = uid("chart");
  const pad = { left: 40, right: 10, top: 12, bottom: 38 };
  const inner = { w: Math.max(120, width - pad.left - pad.right), h: height - pad.top - pad.bottom };
  const totals = rows.map((r) => (stacked ? series.reduce((sum, s) => sum + (r.values[s.key] || 0), 0)
    : Math.max(0, ...series.map((s) => r.values[s.key] || 0))));
  const max = niceMax(Math.max(0, ...totals));
  const y = (v) => pad.top + inner.h - (v / max) * inner.h;
  const band = inner.w / Math.max(1, rows.length);
  const gap = Math.min(6, band * 0.2);
  const root = svg("svg", { class: "chart", width: String(width), height: String(height), viewBox: `0 0 ${width} ${height}`,
    role: "img", "aria-labelledby": titleId },
  svg("title", { id: titleId, text: title }));
  for (let i = 0; i <= 4; i += 1) {
    const value = (max / 4) * i;
    root.append(svg("line", { class: "grid", x1: pad.left, x2: pad.left + inner.w, y1: y(value), y2: y(value) }),
      svg("text", { class: "axis", x: pad.left - 6, y: y(value) + 4, "text-anchor": "end", text: fmtNumber(value, 1) }));
  }
  const labelEvery = Math.ceil(rows.length / Math.max(1, Math.floor(inner.w / 64)));
  rows.forEach((row, index) => {
    const x0 = pad.left + index * band + gap / 2;
    const w = band - gap;
    let base = 0;
    series.forEach((s, k) => {
      const value = row.values[s.key] || 0;
      if (!value) return;
      const bw = stacked ? w : w / series.length;
      const x = stacked ? x0 : x0 + k * bw;
      const top = stacked ? y(base + value) : y(value);
      const bottom = stacked ? y(base) : y(0);
      root.append(svg("rect", { class: ["bar", s.cls], x, y: top, width: Math.max(1, bw - (stacked ? 0 : 1)),
        height: Math.max(0, bottom - top) }, svg("title", { text: `${row.label} – ${s.label}: ${fmtNumber(value)}` })));
      if (stacked) base += value;
    });
    if (index % labelEvery === 0) {
      root.append(svg("text", { class: "axis", x: x0 + w / 2, y: height - pad.bottom + 16, "text-anchor": "middle",
        text: row.short || row.label }));
    }
  });
  root.append(svg("line", { class: "axis-line", x1: pad.left, x2: pad.left + inner.w, y1: y(0), y2: y(0) }));
  return root;
}

/** Horizontal bars (backlog, durations). */
export function barChart({ title, entries, width, format = fmtNumber, cls = "s1" }) {
  const titleId = uid("chart");
  const row = 26;
  const labelW = Math.min(180, Math.round(width * 0.38));
  const valueW = 64;
  const height = Math.max(row, entries.length * row) + 8;
  const max = Math.max(0, ...entries.map((e) => e.value)) || 1;
  const inner = Math.max(40, width - labelW - valueW - 8);
  const root = svg("svg", { class: "chart", width: String(width), height: String(height), viewBox: `0 0 ${width} ${height}`,
    role: "img", "aria-labelledby": titleId }, svg("title", { id: titleId, text: title }));
  entries.forEach((entry, i) => {
    const y = 4 + i * row;
    const w = (entry.value / max) * inner;
    root.append(
      svg("text", { class: "axis label", x: labelW - 8, y: y + 16, "text-anchor": "end", text: entry.label }),
      svg("rect", { class: ["bar", entry.cls || cls], x: labelW, y: y + 3, width: Math.max(1, w), height: row - 8 },
        svg("title", { text: `${entry.label}: ${format(entry.value)}` })),
      svg("text", { class: "axis value", x: labelW + w + 6, y: y + 16, text: format(entry.value) }));
  });
  return root;
}

export function mount(main, route) {
  setTitle(t("reports.title"));
  const today = new Date();
  const monthAgo = new Date(today.getTime() - 29 * 86400000);
  const start = h("input", { type: "date", name: "start", value: route.query.get("start") || isoDay(monthAgo) });
  const end = h("input", { type: "date", name: "end", value: route.query.get("end") || isoDay(today) });
  const granularity = selectEl([{ value: "day", label: t("reports.day") }, { value: "week", label: t("reports.week") }],
    route.query.get("granularity") || "day", { name: "granularity" });
  const body = h("div", { class: "reports" });
  const status = h("p", { class: "list-status", role: "status" });
  let data = null;
  let resizeTimer = 0;

  function preset(days, gran) {
    return h("button", { type: "button", class: "btn btn-small", text: t("reports.last", { n: days }), on: { click: () => {
      end.value = isoDay(new Date());
      start.value = isoDay(new Date(Date.now() - (days - 1) * 86400000));
      granularity.value = gran;
      load();
    } } });
  }

  const form = h("form", { class: "filters-row report-form", novalidate: true },
    field(t("reports.start"), start, { cls: "field-inline" }),
    field(t("reports.end"), end, { cls: "field-inline" }),
    field(t("reports.granularity"), granularity, { cls: "field-inline" }),
    h("button", { type: "submit", class: "btn btn-primary", text: t("reports.show") }),
    h("button", { type: "button", class: "btn", text: "CSV", title: t("csv.title"), "data-csv": "", on: { click: async (e) => {
      (await import("./download.js")).downloadCsv("export/stats", { start: start.value, end: end.value,
        granularity: granularity.value, lang: lang() }, e.currentTarget); } } }),
    h("div", { class: "presets", role: "group", "aria-label": t("reports.presets") },
      preset(7, "day"), preset(30, "day"), preset(90, "week"), preset(365, "week")));
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });

  main.append(h("div", { class: "page" }, h("h1", { text: t("reports.title") }), form, status, body));

  async function load() {
    status.textContent = t("loading");
    try {
      data = await api("stats", { query: { start: start.value, end: end.value, granularity: granularity.value } });
      status.textContent = t("reports.range", { start: fmtDate(data.start), end: fmtDate(data.end) });
      draw();
    } catch (error) {
      status.textContent = errorText(error);
      replace(body);
    }
  }

  function card(title, ...children) {
    return h("section", { class: "card chart-card", "aria-label": title }, h("h2", { class: "h-small", text: title }), children);
  }

  // SLA clocks met and breached in the range, per metric, with the breach rate (issue 17)
  function slaCard(sla, half) {
    const title = t("reports.sla");
    const metrics = ["first_response", "next_response", "solution"].filter((m) => sla[m] && (sla[m].met || sla[m].breached));
    if (!metrics.length) return card(title, h("p", { class: "muted", text: t("reports.sla.none") }));
    const rate = (m) => (sla[m].breach_rate === null || sla[m].breach_rate === undefined ? "–"
      : `${fmtNumber(Math.round(sla[m].breach_rate * 1000) / 10)} %`);
    const entries = metrics.map((m) => ({ label: t(`reports.sla.${m}`), value: sla[m].breached, cls: "s4" }));
    return card(title, barChart({ title, entries, width: half - 34 }),
      dataTable(title, [t("reports.key"), t("reports.sla.met"), t("reports.sla.breached"), t("reports.sla.rate")],
        metrics.map((m) => [t(`reports.sla.${m}`), fmtNumber(sla[m].met), fmtNumber(sla[m].breached), rate(m)])));
  }

  function draw() {
    if (!data) return;
    const width = Math.max(260, Math.min(body.clientWidth || main.clientWidth || 900, 1400) - 34);
    const half = width > 760 ? Math.floor((width - 16) / 2) : width;
    const rows = data.series.map((r) => ({ label: fmtDate(r.period), short: r.period.slice(5).split("-").reverse().join("."), values: r }));
    const volume = VOLUME.map((s) => ({ ...s, label: t(`stat.${s.key}`) }));
    const auto = AUTO.map((s) => ({ ...s, label: t(`stat.${s.key}`) }));
    const totals = data.totals || {};
    const kpis = ["tickets_created", "messages_in", "replies", "closed", "reopened", "autoreplies_sent", "autoreplies_suppressed"];
    const durations = [["first_response", data.first_response], ["resolution", data.resolution]];
    const backlog = (kind, labelOf) => {
      const entries = Object.entries((data.backlog || {})[kind] || {}).map(([key, value]) => ({ label: labelOf(key), value }))
        .sort((a, b) => b.value - a.value);
      const title = t(`reports.backlog.${kind}`);
      return card(title, entries.length ? [barChart({ title, entries, width: half - 34 }),
        dataTable(title, [t("reports.key"), t("reports.count")], entries.map((e) => [e.label, fmtNumber(e.value)]))]
        : h("p", { class: "muted", text: t("reports.nodata") }));
    };
    replace(body,
      h("ul", { class: "kpis" }, kpis.map((key) => h("li", { class: "kpi" },
        h("span", { class: "kpi-value", text: fmtNumber(totals[key] || 0) }), h("span", { class: "kpi-label", text: t(`stat.${key}`) })))),
      card(t("reports.volume"), legend(volume),
        columnChart({ title: t("reports.volume"), rows, series: volume, width: width - 34 }),
        dataTable(t("reports.volume"), [t("reports.period"), ...volume.map((s) => s.label)],
          rows.map((r) => [r.label, ...volume.map((s) => fmtNumber(r.values[s.key] || 0))]))),
      h("div", { class: "chart-grid" },
        durations.map(([kind, d]) => {
          const title = t(`reports.${kind}`);
          const entries = [{ label: t("reports.median"), value: d.median_hours || 0, cls: "s1" },
            { label: t("reports.p90"), value: d.p90_hours || 0, cls: "s4" }];
          return card(title, d.count ? [
            h("p", { class: "muted", text: t("reports.basis", { n: d.count }) }),
            barChart({ title, entries, width: half - 34, format: fmtHours }),
            dataTable(title, [t("reports.key"), t("reports.hours")], entries.map((e) => [e.label, fmtHours(e.value)]))]
            : h("p", { class: "muted", text: t("reports.nodata") }));
        }),
        backlog("status", statusLabel),
        backlog("queue", queueName),
        backlog("agent", (key) => (key === "-" ? t("ticket.assignee.none") : agentName(key))),
        slaCard(data.sla || {}, half),
        card(t("reports.autoreplies"), legend(auto),
          columnChart({ title: t("reports.autoreplies"), rows, series: auto, width: half - 34, stacked: true, height: 200 }),
          dataTable(t("reports.autoreplies"), [t("reports.period"), ...auto.map((s) => s.label)],
            rows.map((r) => [r.label, ...auto.map((s) => fmtNumber(r.values[s.key] || 0))])))));
  }

  const onResize = () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(draw, 200); };
  window.addEventListener("resize", onResize);
  load();
  return () => window.removeEventListener("resize", onResize);
}

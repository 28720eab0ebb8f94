// The ticket view: chat-like thread, review banner, related tickets, events, side panel, composer.

import { h, replace, clear } from "./dom.js";
import { t, has, lang, fmtDateTime, fmtRelative, fmtSize } from "./i18n.js";
import "./i18n-views.js";
import { api } from "./http.js";
import { navigate } from "./router.js";
import {
  state, priorities, queues, agents, projects, statusLabel, priorityLabel, queueName, agentName, targets,
} from "./store.js";
import {
  toast, showError, busy, statusBadge, prioBadge, slaBadge, tagChip, field, setTitle, failed, loading, confirmDialog,
  formatAddress, errorText,
} from "./ui.js";
import { mailBody } from "./mailview.js";
import { createComposer } from "./composer.js";
import { openForward } from "./forward.js";
import { setViewKeys } from "./keys.js";
import { onLive, isLive, watchTicket, typed, viewersNow } from "./live.js";
import { purgeButton } from "./privacy.js";
import { macroMenu, reasonText as macroReason } from "./macros.js";

const LINK_AGE_MS = 240000; // attachment links live 300 s on the server
const POLL_MS = 20000; // only while the live socket is down
const LIVE_DEBOUNCE_MS = 200;

const RELATIONS = ["parent", "merged_into", "merged_from", "claimed", "previous", "split_into", "split_from"];

function channelLabel(channel) {
  return has(`channel.${channel}`) ? t(`channel.${channel}`) : channel;
}

function relationLabel(relation) {
  return RELATIONS.includes(relation) ? t(`rel.${relation}`) : relation;
}

/** Resolve "T-2026-000123" or a ticket id to {id, number, version}. */
export async function findTicket(text) {
  const value = text.trim();
  if (!value) return null;
  if (/^[0-9A-HJKMNP-TV-Z]{26}$/i.test(value)) {
    const found = await api(`tickets/${encodeURIComponent(value.toUpperCase())}`, { query: { read: "false" } });
    return { id: found.id, number: found.number, version: found.version };
  }
  const page = await api("tickets", { query: { q: value, status: "all", limit: 20 } });
  const exact = page.items.find((item) => item.number.toLowerCase() === value.toLowerCase());
  return exact ? { id: exact.id, number: exact.number, version: exact.version } : null;
}

function localInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function mount(main, route) {
  const id = route.parts[1];
  let ticket = null;
  let loadedAt = 0;
  let alive = true;
  const messageNodes = new Map();
  const conflict = h("div", { class: "conflict", role: "alert", hidden: true });
  const header = h("div", { class: "ticket-head" });
  const presence = h("p", { class: "presence-line", role: "status", "aria-live": "polite", hidden: true });
  const banners = h("div", { class: "banners" });
  const thread = h("ol", { class: "thread", "aria-label": t("ticket.thread") });
  const events = h("div", { class: "events" });
  const side = h("aside", { class: "side", "aria-label": t("ticket.properties") });
  const saved = h("p", { class: "sr-only", role: "status" });
  let composer = null;
  let writes = Promise.resolve(); // changes go out one after the other, each with the version the last one returned
  const enqueue = (work) => {
    const next = writes.then(work, work);
    writes = next.catch(() => {});
    return next;
  };
  const composerSlot = h("div", { class: "composer-slot" });
  const macroNote = h("section", { class: "banner macro-note", "aria-label": t("macro.menu"), hidden: true });
  const macros = macroMenu({ ticketId: id, version: () => ticket.version, write: enqueue, note: macroNote,
    conflict: (current) => showConflict(current), done: () => load({ markRead: false, resolved: true }) });

  const layout = h("div", { class: "ticket-layout" },
    h("div", { class: "ticket-main" }, header, macroNote, presence, conflict, banners, thread, events, composerSlot), side, saved);
  loading(main);

  // Opening the ticket marks it read for this agent (GET without read=false); re-reads in the background
  // (live changes, polls, after a change) leave the agent's read mark alone.
  // The conflict notice ("your change was not saved") stays until the agent reloads or changes again:
  // a background reload refreshes the view, but must not hide that a change of theirs was lost.
  async function load({ markRead = true, resolved = false } = {}) {
    let detail;
    try {
      detail = await api(`tickets/${encodeURIComponent(id)}`, markRead ? {} : { query: { read: "false" } });
    } catch (error) {
      if (!alive) return;
      if (layout.isConnected) showError(error); // a background reload: keep the view (and the composer)
      else failed(main, error, () => load());
      return;
    }
    if (!alive) return;
    if (ticket && detail.version < ticket.version) return; // an answer older than a change made meanwhile
    ticket = detail;
    loadedAt = Date.now();
    const anchor = layout.isConnected ? viewportAnchor() : null;
    if (!layout.isConnected) replace(main, layout);
    if (resolved) conflict.hidden = true;
    render();
    keepAnchor(anchor);
  }

  // A background reload keeps what the agent looks at where it is on the screen: the focused control,
  // else the first entry in view, stays put while messages arrive above or below it.
  function viewportAnchor() {
    const focused = document.activeElement;
    const inView = (el) => {
      const box = el.getBoundingClientRect();
      return box.bottom > 0 && box.top < window.innerHeight;
    };
    const candidates = [focused && layout.contains(focused) ? focused : null, ...thread.children, events, composerSlot];
    const el = candidates.find((node) => node && inView(node));
    return el ? { el, top: el.getBoundingClientRect().top } : null;
  }

  function keepAnchor(anchor) {
    if (!anchor || !anchor.el.isConnected) return;
    const moved = anchor.el.getBoundingClientRect().top - anchor.top;
    if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
  }

  function render() {
    setTitle(`${ticket.number} ${ticket.subject}`);
    renderHead();
    renderBanners();
    renderThread();
    renderEvents();
    renderSide();
    if (!composer) {
      composer = createComposer({ ticketId: id, onDone: () => load({ markRead: false }), onTyping: typed });
      composerSlot.append(composer.el);
      const mode = route.query.get("compose");
      if (mode) composer.focus(mode);
    }
    composer.update(ticket);
  }

  // ------------------------------------------------------------------ header
  function neighbour(delta) {
    const index = state.list.indexOf(id);
    if (index < 0) return null;
    return state.list[index + delta] || null;
  }

  function go(delta) {
    const next = neighbour(delta);
    if (next) navigate(["ticket", next]);
    else toast(t(delta > 0 ? "ticket.nonext" : "ticket.noprev"));
  }

  function renderHead() {
    const back = state.listQuery && state.listQuery.startsWith("#/inbox") ? state.listQuery : "#/inbox";
    replace(header,
      h("div", { class: "ticket-nav" },
        h("a", { href: back, class: "back-link", text: t("ticket.back") }),
        h("div", { class: "pager" },
          h("button", { type: "button", class: "btn btn-small", text: t("ticket.prev"), title: "k",
            disabled: !neighbour(-1), on: { click: () => go(-1) } }),
          h("button", { type: "button", class: "btn btn-small", text: t("ticket.next"), title: "j",
            disabled: !neighbour(1), on: { click: () => go(1) } }))),
      h("div", { class: "ticket-title" },
        h("span", { class: "ticket-number", text: ticket.number }),
        h("h1", { text: ticket.subject || t("ticket.nosubject") })),
      h("div", { class: "ticket-meta" },
        statusBadge(ticket.status, statusLabel(ticket.status)),
        prioBadge(ticket.priority, priorityLabel(ticket.priority)),
        ticket.prio ? h("span", { class: "flag flag-prio", text: `★ ${t("flag.prio")}` }) : null,
        ticket.private ? h("span", { class: "flag", text: t("flag.private") }) : null,
        ticket.personal ? h("span", { class: "flag", text: t("flag.personal") }) : null,
        ticket.overdue ? h("span", { class: "flag flag-review", text: t("flag.overdue") }) : null,
        slaBadge(ticket.sla, fmtRelative, fmtDateTime, true),
        h("span", { class: "muted", text: t("ticket.channel", { channel: channelLabel(ticket.channel) }) }),
        h("span", { class: "muted" }, t("ticket.created"), " ",
          h("time", { datetime: ticket.created_at, text: fmtDateTime(ticket.created_at) }))),
      h("div", { class: "ticket-actions" },
        h("button", { type: "button", class: "btn btn-primary", text: t("ticket.reply"), title: "r",
          on: { click: () => composer.focus("reply") } }),
        h("button", { type: "button", class: "btn", text: t("ticket.comment"), title: "c",
          on: { click: () => composer.focus("comment") } }),
        h("button", { type: "button", class: "btn ticket-forward", text: t("fwd.ticket"),
          on: { click: () => forward(null) } }),
        macros,
        targets(ticket.status).includes("closed") && ticket.status !== "closed"
          ? h("button", { type: "button", class: "btn", text: t("ticket.close"), title: "e",
            on: { click: (e) => patch({ status: "closed" }, e.currentTarget) } }) : null));
  }

  // ------------------------------------------------------------------ banners: review, merged, related
  function renderBanners() {
    clear(banners);
    if (ticket.review) {
      const claimed = ticket.related.filter((r) => r.relation === "claimed");
      banners.append(h("section", { class: "banner banner-review", "aria-label": t("review.title") },
        h("h2", { text: t("review.title") }),
        ticket.review_notes.length ? h("ul", {}, ticket.review_notes.map((note) => h("li", { text: note }))) : null,
        claimed.map((r) => h("p", {}, t("review.claims"), " ",
          h("a", { href: `#/ticket/${encodeURIComponent(r.id)}`, text: `${r.number} – ${r.subject}` }))),
        claimed.length ? h("p", { class: "muted", text: t("review.hint") }) : null,
        h("button", { type: "button", class: "btn btn-small", text: t("review.done"),
          on: { click: (e) => patch({ review: false }, e.currentTarget) } })));
    }
    if (ticket.merged_into) {
      const target = ticket.related.find((r) => r.relation === "merged_into");
      banners.append(h("p", { class: "banner" }, t("ticket.mergedinto"), " ",
        h("a", { href: `#/ticket/${encodeURIComponent(ticket.merged_into)}`, text: target ? target.number : ticket.merged_into })));
    }
    if (ticket.related.length) {
      banners.append(h("section", { class: "related", "aria-label": t("ticket.related") },
        h("h2", { class: "h-small", text: t("ticket.related") }),
        h("ul", {}, ticket.related.map((r) => h("li", {},
          h("span", { class: "rel", text: relationLabel(r.relation) }), " ",
          h("a", { href: `#/ticket/${encodeURIComponent(r.id)}`, text: r.number }), " ",
          h("span", { text: r.subject }), " ",
          statusBadge(r.status, statusLabel(r.status)))))));
    }
  }

  // ------------------------------------------------------------------ thread
  function attachmentList(message) {
    // Inline images of an HTML mail are shown in the mail itself.
    const shown = message.attachments.filter((a) => !(message.html && a.inline && a.content_id &&
      String(a.content_type).startsWith("image/")));
    if (!shown.length) return null;
    return h("ul", { class: "attachments", "aria-label": t("msg.attachments") }, shown.map((a) => h("li", {},
      a.url ? h("a", { href: a.url, class: "attachment", rel: "noopener noreferrer", download: a.filename,
        title: t("msg.download", { name: a.filename }), on: { click: (event) => freshLink(event, message.id, a.id) } },
      h("span", { class: "att-icon", "aria-hidden": "true", text: "📎" }), h("span", { text: a.filename }))
        : h("span", { text: a.filename }),
      h("span", { class: "muted", text: ` ${fmtSize(a.size)}` }),
      a.note ? h("span", { class: "att-note", text: ` ${a.note}` }) : null)));
  }

  async function freshLink(event, messageId, attachmentId) {
    if (Date.now() - loadedAt < LINK_AGE_MS) return;
    event.preventDefault();
    try {
      const detail = await api(`tickets/${encodeURIComponent(id)}`, { query: { read: "false" } });
      const message = detail.messages.find((m) => m.id === messageId);
      const attachment = message && message.attachments.find((a) => a.id === attachmentId);
      if (attachment && attachment.url) h("a", { href: attachment.url, rel: "noopener noreferrer" }).click();
    } catch (error) {
      showError(error);
    }
  }

  function badges(message) {
    const list = [];
    if (message.side === "forward") list.push(h("span", { class: "badge-auto badge-forward", text: t("msg.forwardside") }));
    if (message.auto_reply) list.push(h("span", { class: "badge-auto", text: t("msg.autoreply") }));
    else if (message.auto_submitted) list.push(h("span", { class: "badge-auto", text: t("msg.automatic", { kind: message.auto_submitted }) }));
    list.push(...deliveryBadges(message));
    const verdicts = message.verdicts || {};
    if (verdicts.spam === "FAIL") list.push(h("span", { class: "badge-warn", text: t("msg.spam") }));
    if (verdicts.virus === "FAIL") list.push(h("span", { class: "badge-warn", text: t("msg.virus") }));
    for (const check of ["spf", "dkim", "dmarc"]) {
      if (verdicts[check] === "FAIL") list.push(h("span", { class: "badge-warn", text: `${check.toUpperCase()} ${t("msg.fail")}` }));
    }
    if (message.channel && message.channel !== "email") list.push(h("span", { class: "badge-auto", text: channelLabel(message.channel) }));
    if ((message.defects || []).length || (message.limit_exceeded || []).length) {
      list.push(h("span", { class: "badge-warn", title: [...message.defects, ...message.limit_exceeded].join("; "),
        text: t("msg.defects") }));
    }
    return list;
  }

  // Outbound mail durability (send): "nicht zugestellt" with the reason; "Erneut senden" for a failed mail.
  function deliveryBadges(message) {
    const state = message.send_state;
    if (state === "outside") return [h("span", { class: "badge-auto msg-outside", text: t("msg.outside") })];
    if (state === "pending" || state === "sending") return [h("span", { class: "badge-warn", text: t("msg.pending") })];
    if (!["retry", "failed", "bounced", "complained"].includes(state)) return [];
    const reason = message.send_error || t("msg.sendfailed");
    const list = [h("span", { class: "badge-warn msg-undelivered", title: reason, text: t(`send.${state}`, { reason }) })];
    if (state === "failed" || state === "retry") {
      list.push(h("button", { type: "button", class: "btn btn-small msg-resend", text: t("send.resend"),
        on: { click: (e) => resend(message, e.currentTarget) } }));
    }
    return list;
  }

  async function resend(message, button) {
    const path = `tickets/${encodeURIComponent(id)}/messages/${encodeURIComponent(message.id)}/resend`;
    try {
      await busy(button, () => enqueue(() => api(path, { method: "POST" })), { quiet: true });
      toast(t("send.resent"), "success");
    } catch (error) {
      toast(error.code === "send_failed" ? t("send.stillfailed") : errorText(error), "error");
    }
    await load({ markRead: false });
  }

  // Per message: answer this one (reply-all to it), forward it, split it off into a ticket of its own.
  function messageActions(message) {
    const mail = message.channel === "email";
    return h("div", { class: "msg-actions" },
      mail && message.reply_all ? h("button", { type: "button", class: "btn btn-small msg-answer", text: t("msg.answer"),
        on: { click: () => composer.answer(message.id) } }) : null,
      h("button", { type: "button", class: "btn btn-small msg-forward", text: t("msg.forward"),
        on: { click: () => forward(message) } }),
      message.direction === "inbound" && ticket.message_count > 1
        ? h("button", { type: "button", class: "btn btn-small msg-split", text: t("msg.split"),
          on: { click: (e) => split(message, e.currentTarget) } }) : null);
  }

  function forward(message) {
    openForward({ ticket, message, current: () => ticket, onDone: () => load({ markRead: false }) });
  }

  async function split(message, button) {
    if (!(await confirmDialog(t("split.confirm")))) return;
    try {
      const result = await busy(button, () => enqueue(() => api(
        `tickets/${encodeURIComponent(id)}/messages/${encodeURIComponent(message.id)}/split`,
        { method: "POST", body: { version: ticket.version } })), { quiet: true });
      toast(t("split.done", { number: result.ticket.number }), "success");
    } catch (error) {
      showError(error);
    }
    await load({ markRead: false });
  }

  function messageNode(message) {
    const cacheKey = `${message.id}:${message.send_state}:${message.send_error || ""}:${ticket.message_count > 1}`;
    if (messageNodes.has(cacheKey)) return messageNodes.get(cacheKey);
    const outbound = message.direction === "outbound";
    const from = message.from ? formatAddress(message.from) : "";
    const who = outbound ? (message.author && message.author !== "system" ? agentName(message.author) : t("msg.system")) : "";
    const node = h("li", { class: ["msg", outbound ? "msg-out" : "msg-in", message.auto_reply && "msg-auto",
      message.side === "forward" && "msg-forward"],
      "data-message-id": message.id },
      h("article", { "aria-label": t(outbound ? "msg.out" : "msg.in", { from: from || who }) },
        h("header", { class: "msg-head" },
          h("div", { class: "msg-from" },
            h("strong", { text: message.from ? message.from.name || message.from.address : who }),
            message.from && message.from.name ? h("span", { class: "muted", text: ` <${message.from.address}>` }) : null,
            outbound && who ? h("span", { class: "muted", text: ` · ${who}` }) : null),
          h("time", { datetime: message.created_at, title: fmtDateTime(message.created_at), text: fmtRelative(message.created_at) })),
        h("div", { class: "msg-addr muted" },
          message.to.length ? h("span", { text: `${t("msg.to")}: ${message.to.map(formatAddress).join(", ")}` }) : null,
          message.cc.length ? h("span", { text: ` · ${t("msg.cc")}: ${message.cc.map(formatAddress).join(", ")}` }) : null,
          (message.bcc || []).length
            ? h("span", { class: "msg-bcc", text: ` · ${t("compose.bcc")}: ${message.bcc.map(formatAddress).join(", ")}` }) : null),
        message.subject && message.subject !== ticket.subject
          ? h("div", { class: "msg-subject", text: message.subject }) : null,
        h("div", { class: "msg-badges" }, badges(message)),
        mailBody(message, { loadFull: (m) => api(`tickets/${encodeURIComponent(id)}/messages/${encodeURIComponent(m.id)}/body`) }),
        attachmentList(message),
        messageActions(message)));
    messageNodes.set(cacheKey, node);
    return node;
  }

  function commentNode(comment) {
    return h("li", { class: "msg msg-note", "data-comment-id": comment.id },
      h("article", { "aria-label": t("note.label", { author: agentName(comment.author) }) },
        h("header", { class: "msg-head" },
          h("div", { class: "msg-from" }, h("span", { class: "note-kind", text: t("note.kind") }), " ",
            h("strong", { text: agentName(comment.author) })),
          h("time", { datetime: comment.created_at, title: fmtDateTime(comment.created_at), text: fmtRelative(comment.created_at) })),
        h("div", { class: "mail-text", text: comment.body }),
        comment.tags.length ? h("div", { class: "tags" }, comment.tags.map((tag) => tagChip(tag))) : null));
  }

  const commentNodes = new Map();
  function cachedComment(comment) {
    if (!commentNodes.has(comment.id)) commentNodes.set(comment.id, commentNode(comment));
    return commentNodes.get(comment.id);
  }

  // New entries are appended to the nodes already shown (a live update never rebuilds what the agent
  // is reading, and the browser keeps the scroll position anchored); anything else rebuilds the list.
  function renderThread() {
    const entries = [
      ...ticket.messages.map((m) => ({ at: m.created_at, node: () => messageNode(m) })),
      ...ticket.comments.map((c) => ({ at: c.created_at, node: () => cachedComment(c) })),
    ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const nodes = entries.map((e) => e.node());
    const shown = [...thread.children];
    if (nodes.length && shown.length <= nodes.length && shown.every((node, i) => node === nodes[i])) {
      thread.append(...nodes.slice(shown.length));
      return;
    }
    replace(thread, ...nodes);
    if (!entries.length) thread.append(h("li", { class: "muted", text: t("ticket.nomessages") }));
  }

  // ------------------------------------------------------------------ presence: who else is here
  function renderPresence(list) {
    const others = list.filter((v) => !state.me || v.user !== state.me.username);
    presence.hidden = !others.length;
    replace(presence, ...others.map((v, i) => h("span", { class: ["presence", `presence-${v.state}`] },
      i ? " · " : null,
      t(v.state === "typing" ? "live.typing" : "live.viewing", { name: agentName(v.user) || v.name }))));
  }

  // ------------------------------------------------------------------ events
  // Every entry is a sentence in the agent's language (issue 12, part 6): reasons arrive as codes with
  // parameters (docs/api.md, "Events") and are translated here; a code this client does not know shows
  // the server's fallback text. Nothing is ever shown as JSON.
  function who(actor) {
    if (["system", "customer", "agent", "third_party", "automation"].includes(actor)) return t(`evp.who.${actor}`);
    if (typeof actor === "string" && actor.startsWith("rule:")) return t("evp.who.system");
    return agentName(actor) || actor || t("evp.who.system");
  }
  function reasonText(reason) {
    if (!reason) return "";
    if (typeof reason === "string") return reason; // (the API always sends codes; kept for safety)
    const params = { ...(reason.params || {}) };
    if (reason.code === "status.batch" && has(`batch.${params.action}`)) params.action = t(`batch.${params.action}`);
    return macroReason({ ...reason, params });
  }
  const list = (values) => [].concat(values || []).filter(Boolean).join(", ");
  const fieldName = (name) => (has(`field.${name}`) ? t(`field.${name}`) : name);
  const FLAGS = ["private", "personal", "prio", "review"];

  /** One event → {text, why: [sentences]}; null for bookkeeping nobody needs to read. */
  function describe(event, all) {
    const d = event.detail || {};
    const by = who(event.actor);
    switch (event.type) {
      case "TicketCreated": {
        const vars = { who: by, customer: d.customer || "–", queue: queueName(d.queue) || d.queue || "–",
          channel: channelLabel(d.channel || "email") };
        const text = event.actor === "system"
          ? t(!d.channel || d.channel === "email" ? "evp.created.mail" : "evp.created.channel", vars)
          : t("evp.created.by", vars);
        const why = [].concat(d.threading || []).map(reasonText);
        if (d.rules && d.rules.length) {
          why.push(t("evp.rules", { names: list(d.rules.map((r) => (r && (r.name || r.rule)) || "")) }));
        }
        for (const warning of [].concat(d.rule_warnings || [])) why.push(reasonText(warning));
        const extra = [];
        if (d.autoreply) {
          extra.push(d.autoreply.code === "autoreply.allowed" ? t("evp.autoreply.sent")
            : t("evp.autoreply.none", { reason: reasonText(d.autoreply) }));
        }
        return { text: [text, ...extra].join(" "), why };
      }
      case "MessageAdded": {
        const why = [].concat(d.threading || []).map(reasonText);
        if (d.direction === "outbound") {
          const to = list(d.to);
          if (d.outside) return { text: t("evp.out.outside", { who: by, to: to || "–" }), why };
          return { text: to ? t("evp.out", { who: by, to }) : t("evp.out.none", { who: by }), why };
        }
        if (d.channel === "web") return { text: t("evp.in.web", { who: by }), why };
        if (d.side === "forward") return { text: t("evp.in.forward", { from: d.from || by }), why };
        return { text: t("evp.in", { from: d.from || by }), why };
      }
      case "StatusChanged": {
        const text = t("evp.status", { who: by, from: statusLabel(d.from), to: statusLabel(d.to) });
        return { text: d.reason ? `${text} ${reasonText(d.reason)}` : text, why: [] };
      }
      case "TicketUpdated": {
        // A status change has its own entry (StatusChanged); read marks are nobody's history.
        const hasStatusEvent = all.some((e) => e.type === "StatusChanged" && e.created_at === event.created_at);
        const sentences = Object.entries(d.changes || {})
          .filter(([name]) => name !== "unread" && !(name === "status" && hasStatusEvent))
          .map(([name, pair]) => change(by, name, Array.isArray(pair) ? pair : [undefined, pair]));
        return sentences.length ? { text: sentences.join(" "), why: [] } : null;
      }
      case "CommentAdded":
        return { text: d.mentions && d.mentions.length
          ? t("evp.comment.mentions", { who: by, names: list(d.mentions.map((m) => agentName(m) || m)) })
          : t("evp.comment", { who: by }), why: [] };
      case "TicketMerged":
        return { text: d.source === ticket.id
          ? t("evp.merged.into", { who: by, target: d.target_number || "…", n: d.moved ?? 0 })
          : t("evp.merged.from", { who: by, source: d.source_number || "…", n: d.moved ?? 0 }), why: [] };
      case "MessageForwarded":
        return { text: t(d.forwarded === "ticket" ? "evp.forwarded.ticket" : "evp.forwarded.msg",
          { who: by, to: list([...(d.to || []), ...(d.cc || [])]) || "–" }), why: [] };
      case "TicketSplit":
        return { text: d.source === ticket.id
          ? t("evp.split.into", { who: by, target: d.target_number || "…" })
          : t("evp.split.from", { who: by, source: d.source_number || "…" }), why: [] };
      case "ReminderSent":
        return { text: t(d.mailed === false ? "evp.reminder.nomail" : "evp.reminder", { days: d.days_waiting ?? "?" }), why: [] };
      case "DeadlineMissed": {
        const parts = [t("evp.deadline", { kinds: deadlineKinds(d) })];
        if (d.notified && d.notified.length) parts.push(t("evp.deadline.notified", { names: list(d.notified.map((n) => agentName(n) || n)) }));
        if (Array.isArray(d.priority)) parts.push(t("evp.deadline.priority", { from: priorityLabel(d.priority[0]), to: priorityLabel(d.priority[1]) }));
        return { text: parts.join(" "), why: [] };
      }
      case "DeadlineWarning":
        return { text: t("evp.deadline.warning", { kinds: deadlineKinds(d) }), why: [] };
      case "PersonalDataErased":
        return { text: t("evp.erased"), why: [] };
      case "MacroApplied":
        return { text: t("evp.macro", { who: by, name: d.name || d.macro || "–" }),
          why: [].concat(d.reasons || []).map(reasonText) };
      case "MacroUndone":
        return { text: t("evp.macro.undone", { who: by, name: d.name || d.macro || "–" }),
          why: [].concat(d.reasons || []).map(reasonText) };
      case "AutoAssigned":
        return { text: t(d.assignee ? "evp.autoassigned" : "evp.autoassigned.nobody",
          { agent: agentName(d.assignee), queue: queueName(d.queue) }), why: d.reason ? [reasonText(d.reason)] : [] };
      case "AutomationRan":
        return { text: t("evp.automation", { names: list(d.fired || []) || "–" }),
          why: [].concat(d.reasons || []).map(reasonText) };
      default:
        return { text: t("evp.other", { who: by, kind: has(`ev.${event.type}`) ? t(`ev.${event.type}`) : event.type }), why: [] };
    }
  }
  function deadlineKinds(d) {
    return list([].concat(d.deadlines || []).map((x) => (has(`evp.deadline.${x && x.kind}`)
      ? t(`evp.deadline.${x.kind}`) : (x && x.kind) || ""))) || "–";
  }
  function change(by, name, [from, to]) {
    const field = fieldName(name);
    if (name === "assignee") {
      return to ? t("evp.assigned", { who: by, to: agentName(to) }) : t("evp.unassigned", { who: by, from: agentName(from) || "–" });
    }
    if (FLAGS.includes(name) || typeof to === "boolean") return t(to ? "evp.flag.on" : "evp.flag.off", { who: by, field });
    const empty = (v) => v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length);
    if (empty(to)) return t("evp.cleared", { who: by, field, from: show(name, from) });
    if (empty(from)) return t("evp.set", { who: by, field, to: show(name, to) });
    return t("evp.changed", { who: by, field, from: show(name, from), to: show(name, to) });
  }
  function show(name, value) {
    if (value === null || value === undefined || value === "") return "–";
    if (name === "status") return statusLabel(value);
    if (name === "priority") return priorityLabel(value);
    if (name === "queue") return queueName(value);
    if (name === "assignee") return agentName(value);
    if (name === "due_at") return fmtDateTime(value);
    if (Array.isArray(value)) return value.join(", ") || "–";
    if (typeof value === "boolean") return value ? t("yes") : t("no");
    if (typeof value === "object") return "–"; // never JSON
    return String(value);
  }

  function renderEvents() {
    const open = events.querySelector("details") && events.querySelector("details").open;
    const shown = ticket.events.map((e) => ({ e, said: describe(e, ticket.events) })).filter((x) => x.said);
    replace(events, h("details", { open: !!open },
      h("summary", { text: t("ticket.events", { n: shown.length }) }),
      h("ol", { class: "event-list" }, [...shown].reverse().map(({ e, said }) => h("li", { "data-event": e.type },
        h("time", { datetime: e.created_at, text: fmtDateTime(e.created_at) }), " ",
        h("span", { class: "event-text", text: said.text }),
        said.why.length ? h("ul", { class: "event-why", "aria-label": t("evp.why") },
          said.why.filter(Boolean).map((line) => h("li", { class: "muted", text: line }))) : null)))));
  }

  // ------------------------------------------------------------------ side panel
  async function patch(changes, control) {
    try {
      const updated = await busy(control && control.tagName === "BUTTON" ? control : null,
        () => enqueue(() => api(`tickets/${encodeURIComponent(id)}`, { method: "PATCH",
          body: { version: ticket.version, ...changes } })),
        { quiet: true });
      if (!alive) return;
      Object.assign(ticket, updated);
      conflict.hidden = true;
      saved.textContent = t("saved");
      toast(t("saved"), "success");
      renderHead();
      renderBanners();
      renderSide();
      load({ markRead: false });
    } catch (error) {
      if (!alive) return;
      if (error.status === 409) showConflict(error.body.current);
      else {
        showError(error);
        renderSide({ force: true });
      }
    }
  }

  function showConflict(current) {
    conflict.hidden = false;
    replace(conflict,
      h("p", {}, h("strong", { text: t("conflict.title") }), " ",
        t("conflict.text", { who: current && current.updated_at ? fmtDateTime(current.updated_at) : "" })),
      h("button", { type: "button", class: "btn btn-primary", text: t("conflict.reload"), on: { click: () => load({ markRead: false, resolved: true }) } }));
    conflict.scrollIntoView({ block: "nearest" });
    renderSide();
  }

  // The panel is built once and updated in place: a background reload never wipes what the agent is typing.
  let controls = null;

  function fillSelect(select, options) {
    replace(select, ...options.map((o) => h("option", { value: o.value, text: o.label })));
  }

  function buildSide() {
    const c = {};
    const select = (name, toValue = (v) => v) => {
      const el = h("select", { name });
      el.addEventListener("change", () => patch({ [name]: toValue(el.value) }, el));
      return el;
    };
    const text = (name, { type = "text", toValue = (v) => v.trim() || null } = {}) => {
      const el = h("input", { type, name, autocomplete: "off" });
      el.addEventListener("change", () => patch({ [name]: toValue(el.value) }, el));
      return el;
    };
    c.status = select("status");
    c.priority = select("priority");
    fillSelect(c.priority, priorities().map((p) => ({ value: p.id, label: p[lang()] })));
    c.queue = select("queue");
    c.assignee = select("assignee", (v) => v || null);
    fillSelect(c.assignee, [{ value: "", label: t("ticket.assignee.none") },
      ...agents().map((a) => ({ value: a.username, label: a.name }))]);
    c.assignMe = h("button", { type: "button", class: "btn btn-small", text: t("ticket.assignme"),
      on: { click: (e) => patch({ assignee: state.me.username }, e.currentTarget) } });
    c.tags = text("tags", { toValue: (v) => v.split(",").map((x) => x.trim()).filter(Boolean) });
    c.customer_email = text("customer_email", { type: "email" });
    c.customer_name = text("customer_name", { toValue: (v) => v.trim() });
    c.customerLink = h("a", { text: t("ticket.customerpage") });
    // Look a customer up as you type (any part of name, address, company, customer number, phone);
    // choosing one sets the ticket's customer (issue 15).
    c.lookup = h("input", { type: "search", name: "customer_lookup", autocomplete: "off",
      placeholder: t("ticket.customer.lookup.placeholder") });
    c.found = h("ul", { class: "customer-found", "aria-live": "polite" });
    let lookupTimer = 0;
    let lookupNo = 0;
    const lookup = async () => {
      const q = c.lookup.value.trim();
      const mine = ++lookupNo;
      if (q.length < 2) return clear(c.found);
      let page;
      try {
        page = await api("customers", { query: { q, limit: 8 } });
      } catch (error) {
        return showError(error);
      }
      if (mine !== lookupNo) return;
      if (!page.items.length) return replace(c.found, h("li", { class: "muted", text: t("ticket.customer.lookup.none") }));
      replace(c.found, ...page.items.map((cu) => h("li", {}, h("button", { type: "button", class: "btn btn-quiet btn-small",
        text: [cu.name || cu.email, cu.name ? cu.email : "", cu.company, cu.external_id].filter(Boolean).join(" · "),
        on: { click: (e) => {
          c.lookup.value = "";
          clear(c.found);
          patch({ customer_email: cu.email, customer_name: cu.name || "" }, e.currentTarget);
        } } }))));
    };
    c.lookup.addEventListener("input", () => { clearTimeout(lookupTimer); lookupTimer = setTimeout(lookup, 250); });
    c.project = text("project");
    c.project.setAttribute("list", "ticket-projects"); // the projects in use as suggestions; any text goes
    c.type = text("type");
    c.due = h("input", { type: "datetime-local", name: "due_at" });
    c.due.addEventListener("change", () => patch({ due_at: c.due.value ? new Date(c.due.value).toISOString() : null }, c.due));
    c.parent = h("input", { type: "text", name: "parent_id", placeholder: "T-2026-000123", autocomplete: "off" });
    c.parent.addEventListener("change", async () => {
      const value = c.parent.value.trim();
      if (!value) return patch({ parent_id: null }, c.parent);
      try {
        const found = await findTicket(value);
        if (!found) return toast(t("ticket.notfound", { value }), "error");
        return patch({ parent_id: found.id }, c.parent);
      } catch (error) {
        return showError(error);
      }
    });
    c.flags = {};
    const flagFields = ["private", "personal", "prio", "unread", "review"].map((flag) => {
      const box = h("input", { type: "checkbox", name: flag });
      box.addEventListener("change", () => patch({ [flag]: box.checked }, box));
      c.flags[flag] = box;
      return field(t(`flag.${flag}`), box);
    });
    c.merge = h("input", { type: "text", name: "merge", placeholder: "T-2026-000123", autocomplete: "off" });
    const mergeButton = h("button", { type: "button", class: "btn", text: t("merge.button") });
    mergeButton.addEventListener("click", () => merge(c.merge.value, mergeButton));
    c.facts = h("dl", { class: "facts" });
    c.purge = purgeButton(() => ticket);

    replace(side,
      h("h2", { class: "h-small", text: t("ticket.properties") }),
      field(t("ticket.status"), c.status),
      field(t("ticket.priority"), c.priority),
      field(t("ticket.queue"), c.queue),
      h("div", { class: "field-row" }, field(t("ticket.assignee"), c.assignee), c.assignMe),
      field(t("ticket.tags"), c.tags, { hint: t("ticket.tags.hint") }),
      field(t("ticket.due"), c.due),
      h("fieldset", { class: "side-group" }, h("legend", { text: t("ticket.customer") }),
        field(t("ticket.customer.lookup"), c.lookup), c.found,
        field(t("ticket.customer.email"), c.customer_email),
        field(t("ticket.customer.name"), c.customer_name),
        c.customerLink),
      field(t("ticket.project"), c.project),
      h("datalist", { id: "ticket-projects" }, projects().map((p) => h("option", { value: p }))),
      field(t("ticket.type"), c.type),
      field(t("ticket.parent"), c.parent, { hint: t("ticket.parent.hint") }),
      h("fieldset", { class: "side-group" }, h("legend", { text: t("ticket.flags") }), flagFields),
      h("fieldset", { class: "side-group" }, h("legend", { text: t("merge.title") }),
        field(t("merge.into"), c.merge, { hint: t("merge.hint") }), mergeButton),
      c.facts,
      c.purge.node);
    return c;
  }

  /** Show the ticket's values; `force` also resets the control the agent is in (after a refused change). */
  function renderSide({ force = false } = {}) {
    if (!controls) controls = buildSide();
    const c = controls;
    const keep = (el) => !force && el === document.activeElement;
    const set = (el, value) => { if (!keep(el)) el.value = value; };
    if (!keep(c.status)) {
      fillSelect(c.status, targets(ticket.status).map((s) => ({ value: s, label: statusLabel(s) })));
      c.status.value = ticket.status;
    }
    set(c.priority, ticket.priority);
    if (!keep(c.queue)) {
      const options = queues().map((q) => ({ value: q.id, label: q.name }));
      if (!options.some((q) => q.value === ticket.queue)) options.push({ value: ticket.queue, label: ticket.queue });
      fillSelect(c.queue, options);
      c.queue.value = ticket.queue;
    }
    set(c.assignee, ticket.assignee || "");
    c.assignMe.hidden = !state.me || ticket.assignee === state.me.username;
    set(c.tags, ticket.tags.join(", "));
    set(c.customer_email, ticket.customer ? ticket.customer.address : "");
    set(c.customer_name, ticket.customer_name || (ticket.customer ? ticket.customer.name : ""));
    c.customerLink.hidden = !ticket.customer;
    if (ticket.customer) c.customerLink.setAttribute("href", `#/customer/${encodeURIComponent(ticket.customer.address)}`);
    set(c.project, ticket.project || "");
    set(c.type, ticket.type || "");
    set(c.due, localInput(ticket.due_at));
    const parent = ticket.related.find((r) => r.relation === "parent");
    set(c.parent, parent ? parent.number : ticket.parent_id || "");
    for (const [flag, box] of Object.entries(c.flags)) if (!keep(box) || force) box.checked = !!ticket[flag];
    c.purge.update(ticket);
    replace(c.facts,
      ticket.customer_phone ? [h("dt", { text: t("new.phone") }),
        h("dd", {}, h("a", { href: `tel:${ticket.customer_phone.replace(/[^0-9+]/g, "")}`, text: ticket.customer_phone }))] : null,
      h("dt", { text: t("ticket.mailbox") }), h("dd", { text: ticket.mailbox || "–" }),
      h("dt", { text: t("ticket.updated") }), h("dd", { text: fmtDateTime(ticket.updated_at) }),
      h("dt", { text: t("ticket.firstresponse") }), h("dd", { text: ticket.first_response_at ? fmtDateTime(ticket.first_response_at) : "–" }),
      h("dt", { text: t("ticket.version") }), h("dd", { text: String(ticket.version) }));
  }

  async function merge(text, button) {
    if (!text.trim()) return;
    let target;
    try {
      target = await findTicket(text);
    } catch (error) {
      return showError(error);
    }
    if (!target) return toast(t("ticket.notfound", { value: text.trim() }), "error");
    if (target.id === ticket.id) return toast(t("merge.self"), "error");
    const ok = await confirmDialog(t("merge.confirm", { from: ticket.number, into: target.number }), { ok: t("merge.button") });
    if (!ok) return;
    try {
      await busy(button, () => enqueue(() => api(`tickets/${encodeURIComponent(id)}/merge`, { method: "POST",
        body: { into: target.id, version: ticket.version, into_version: target.version } })), { quiet: true });
      toast(t("merge.done", { into: target.number }), "success");
      navigate(["ticket", target.id]);
    } catch (error) {
      if (error.status === 409) showConflict(error.body.current);
      else toast(errorText(error), "error");
    }
  }

  setViewKeys({
    j: () => go(1),
    k: () => go(-1),
    r: () => composer && composer.focus("reply"),
    c: () => composer && composer.focus("comment"),
    e: () => {
      if (ticket && ticket.status !== "closed" && targets(ticket.status).includes("closed")) patch({ status: "closed" });
    },
  });

  // Live: a change of this ticket by anyone re-reads it (the composer and the side panel keep what
  // the agent is typing); while the socket is down, a poll does.
  let liveTimer = 0;
  function liveReload() {
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => { if (alive && ticket) load({ markRead: false }); }, LIVE_DEBOUNCE_MS);
  }
  const offLive = onLive((message) => {
    if (message.type === "presence" && message.ticket_id === id) renderPresence(message.viewers);
    if (message.type === "status" && message.live && ticket) liveReload();
    if (message.type === "read" && message.ticket_id === id && ticket) {
      // This agent read or marked the ticket unread in another tab (other agents' marks never come here).
      ticket.unread = message.unread;
      renderSide();
      return;
    }
    if (message.type !== "ticket" || message.ticket.id !== id || !ticket) return;
    // Our own change (same version, with its events) needs no re-read.
    const same = message.ticket.version === ticket.version;
    if (same && (message.events || []).length) return;
    liveReload();
  });
  const poller = setInterval(() => { if (!isLive() && !document.hidden && ticket) load({ markRead: false }); }, POLL_MS);
  watchTicket(id);
  renderPresence(viewersNow());

  load();
  return () => {
    alive = false;
    offLive();
    clearTimeout(liveTimer);
    clearInterval(poller);
    watchTicket(null);
    if (composer) composer.destroy();
  };
}


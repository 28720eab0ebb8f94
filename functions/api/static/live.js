// The live socket (docs/api.md, "Live socket"): the inbox and the open ticket update themselves, and
// agents see who is viewing a ticket or writing a reply. Messages name what changed; the views re-read
// it over the API. Reconnects with backoff; while the socket is down the views poll (isLive() false).

import { freshToken, loggedIn } from "./http.js";
import { state } from "./store.js";
import { setBadge } from "./ui.js";

const PING_MS = 240000; // API Gateway closes a socket idle for 10 minutes
const VIEW_BEAT_MS = 15000; // presence heartbeat while a ticket is open (the server keeps it 30 s)
const TYPE_BEAT_MS = 10000; // while typing, at most this often (the server takes no more)
const TYPING_IDLE_MS = 8000; // no keystroke for this long: back to "viewing"
const MAX_BACKOFF_MS = 30000;
const PRUNE_MS = 2000;

const listeners = new Set();
let socket = null;
let started = false;
let live = false;
let attempt = 0;
let retryTimer = 0;
let pingTimer = 0;
let beatTimer = 0;
let idleTimer = 0;
let pruneTimer = 0;
let ttl = 30000;
const wanted = { ticket: null, search: false };
let subscribedTicket = null;
let mine = null; // my presence on wanted.ticket: "viewing" | "typing"
let lastBeat = 0;
let viewers = []; // the others on the open ticket: {user, name, state, until}
const typing = new Map(); // ticket id → {users: [{user, name}], until} (the inbox's markers)
let unseen = 0; // tickets created since the agent last touched this tab

/** Listen to live messages: {type: "ticket" | "presence" | "typing" | "status" | …}; returns the unsubscribe. */
export function onLive(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit(message) {
  for (const fn of [...listeners]) {
    try {
      fn(message);
    } catch (error) {
      console.error(error); // one view's bug must not silence the others
    }
  }
}

/** True while the socket is subscribed: the views need not poll. */
export function isLive() {
  return live;
}

function setLive(value) {
  if (live === value) return;
  live = value;
  document.documentElement.dataset.live = value ? "on" : "off";
  emit({ type: "status", live: value });
}

function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}

function me() {
  return (state.me && state.me.username) || "";
}

// ------------------------------------------------------------------------------------------ connection

export function startLive() {
  if (started) return;
  started = true;
  pruneTimer = setInterval(prune, PRUNE_MS);
  connect();
}

export function stopLive() {
  started = false;
  for (const timer of [retryTimer, idleTimer]) clearTimeout(timer);
  for (const timer of [pingTimer, beatTimer, pruneTimer]) clearInterval(timer);
  const old = socket;
  socket = null;
  if (old) old.close(1000, "logout");
  setLive(false);
  wanted.ticket = null;
  wanted.search = false;
  subscribedTicket = null;
  mine = null;
  viewers = [];
  typing.clear();
  unseen = 0;
  setBadge(0);
}

async function connect() {
  clearTimeout(retryTimer);
  const base = state.meta && state.meta.live_url;
  if (!started || !base || !loggedIn() || socket) return;
  const token = await freshToken();
  if (!started || !token || socket) return;
  let opened;
  try {
    opened = new WebSocket(`${base}${base.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`);
  } catch {
    retry();
    return;
  }
  socket = opened;
  opened.addEventListener("open", () => {
    if (socket !== opened) return;
    subscribe();
    clearInterval(pingTimer);
    pingTimer = setInterval(() => send({ action: "ping" }), PING_MS);
  });
  opened.addEventListener("message", (event) => {
    if (socket === opened) receive(event.data);
  });
  opened.addEventListener("close", () => {
    if (socket !== opened) return;
    socket = null;
    subscribedTicket = null;
    clearInterval(pingTimer);
    setLive(false);
    retry();
  });
}

function retry() {
  if (!started) return;
  const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
  attempt = Math.min(attempt + 1, 10);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, delay);
}

function subscribe() {
  send({ action: "subscribe", inbox: true, ticket: wanted.ticket, search: wanted.search });
}

/** The inbox shows a search (or no longer): the socket then also hears "indexed" (a ticket's search index
 * changed after its "ticket" message), so a new matching ticket appears in the search too. */
export function watchSearch(on) {
  const next = Boolean(on);
  if (wanted.search === next) return;
  wanted.search = next;
  if (live) subscribe();
}

// ------------------------------------------------------------------------------------------ messages

function receive(raw) {
  let message;
  try {
    message = JSON.parse(raw);
  } catch {
    return;
  }
  switch (message.type) {
    case "subscribed":
      attempt = 0;
      ttl = (message.presence_ttl || 30) * 1000;
      subscribedTicket = message.ticket;
      typing.clear();
      for (const mark of message.typing || []) setTyping(mark);
      if (message.ticket !== wanted.ticket) {
        subscribe(); // the open ticket changed while this was on its way
        return;
      }
      setViewers(message.presence || []);
      setLive(true);
      if (wanted.ticket) beat(mine || "viewing", true);
      emit({ type: "typing" });
      return;
    case "ticket":
      if ((message.events || []).some((e) => e.type === "TicketCreated" && e.actor !== me())) {
        unseen += 1;
        setBadge(unseen);
      }
      emit(message);
      return;
    case "presence":
      if (message.ticket_id === wanted.ticket) setViewers(message.viewers || []);
      return;
    case "typing":
      setTyping(message);
      emit({ type: "typing", ticket_id: message.ticket_id });
      return;
    case "error":
      if (["token_expired", "unauthorized", "not_connected"].includes(message.code) && socket) socket.close(4000, message.code);
      else if (message.code === "not_subscribed") subscribe();
      emit(message);
      return;
    default:
      emit(message); // later kinds (notifications, conflict notices) reach whoever listens for them
  }
}

function setViewers(list) {
  const until = Date.now() + ttl;
  viewers = list.filter((v) => v.user !== me()).map((v) => ({ user: v.user, name: v.name, state: v.state, until }));
  emit({ type: "presence", ticket_id: wanted.ticket, viewers: viewers.slice() });
}

function setTyping(mark) {
  const users = (mark.users || []).filter((u) => u.user !== me());
  if (users.length) typing.set(mark.ticket_id, { users, until: Date.now() + ttl });
  else typing.delete(mark.ticket_id);
}

function prune() {
  const now = Date.now();
  const before = viewers.length;
  viewers = viewers.filter((v) => v.until > now);
  if (viewers.length !== before) emit({ type: "presence", ticket_id: wanted.ticket, viewers: viewers.slice() });
  for (const [id, mark] of typing) {
    if (mark.until <= now) {
      typing.delete(id);
      emit({ type: "typing", ticket_id: id });
    }
  }
}

/** Who (other than me) is writing a reply on a ticket: [{user, name}]. */
export function typingOn(ticketId) {
  const mark = typing.get(ticketId);
  return mark && mark.until > Date.now() ? mark.users : [];
}

/** The others on the open ticket: [{user, name, state}]. */
export function viewersNow() {
  return viewers.slice();
}

// ------------------------------------------------------------------------------------------ presence

/** The ticket this tab shows (null: none): its changes and its viewers reach this tab. */
export function watchTicket(ticketId) {
  const next = ticketId || null;
  if (wanted.ticket === next) return;
  wanted.ticket = next;
  mine = next ? "viewing" : null;
  viewers = [];
  lastBeat = 0;
  clearTimeout(idleTimer);
  clearInterval(beatTimer);
  if (next) beatTimer = setInterval(() => beat(mine || "viewing"), VIEW_BEAT_MS);
  if (live) subscribe(); // the server ends my presence on the ticket left
}

/** The agent typed in the reply: "typing" at once, then a heartbeat at most every 10 s; "viewing" after a pause. */
export function typed() {
  if (!wanted.ticket) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    mine = "viewing";
    beat("viewing", true);
  }, TYPING_IDLE_MS);
  if (mine !== "typing") {
    mine = "typing";
    beat("typing", true);
  } else if (Date.now() - lastBeat >= TYPE_BEAT_MS) {
    beat("typing", true);
  }
}

function beat(presence, force = false) {
  if (!live || !wanted.ticket || subscribedTicket !== wanted.ticket) return;
  if (!force && Date.now() - lastBeat < TYPE_BEAT_MS) return;
  lastBeat = Date.now();
  send({ action: "presence", ticket: wanted.ticket, state: presence });
}

// ------------------------------------------------------------------------------------------ new tickets

/** Tickets that arrived while the agent was away (the fallback poll counts too); shown in title and favicon. */
export function countNew(n) {
  if (n <= 0) return;
  unseen += n;
  setBadge(unseen);
}

function seen() {
  if (!unseen) return;
  unseen = 0;
  setBadge(0);
}

for (const name of ["pointerdown", "keydown", "focus"]) window.addEventListener(name, seen, { passive: true });
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) seen();
});

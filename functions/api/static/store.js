// Session state shared by the views: the agent (GET me), metadata (GET meta), the last ticket list.

import { api } from "./http.js";
import { lang } from "./i18n.js";

export const state = {
  me: null,
  meta: null,
  list: [], // ids of the inbox as last shown: j/k walk through it from the ticket view
  listQuery: "",
};

export async function loadSession() {
  const [me, meta] = await Promise.all([api("me"), api("meta")]);
  state.me = me;
  state.meta = meta;
  return state;
}

export function isAdmin() {
  return !!(state.me && state.me.role === "admin");
}

function label(list, id) {
  const found = (list || []).find((item) => item.id === id);
  return found ? found[lang()] || found.de : id || "";
}

export function statusLabel(id) {
  return label(state.meta && state.meta.statuses, id);
}

export function priorityLabel(id) {
  return label(state.meta && state.meta.priorities, id);
}

export function statuses() {
  return (state.meta && state.meta.statuses) || [];
}

export function priorities() {
  return (state.meta && state.meta.priorities) || [];
}

export function queues() {
  return (state.meta && state.meta.queues) || [];
}

export function agents() {
  return (state.meta && state.meta.agents) || [];
}

export function tags() {
  return Object.keys((state.meta && state.meta.tags) || {});
}

export function projects() {
  return Object.keys((state.meta && state.meta.projects) || {});
}

export function mailboxes() {
  return (state.meta && state.meta.mailboxes) || [];
}

export function queueName(id) {
  const found = queues().find((q) => q.id === id);
  return found ? found.name : id || "";
}

export function agentName(username) {
  if (!username) return "";
  const found = agents().find((a) => a.username === username);
  return found ? found.name : username;
}

/** Statuses a ticket in `status` may move to (the current one first). */
export function targets(status) {
  const allowed = (state.meta && state.meta.transitions && state.meta.transitions[status]) || [];
  return [status, ...statuses().map((s) => s.id).filter((id) => allowed.includes(id))];
}

export const ACTIVE = ["new", "open", "waiting_internal", "waiting_customer", "clarify"];

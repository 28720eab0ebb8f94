// Keyboard shortcuts: global ones (?, /, Escape) and the current view's (j, k, r, c, e, o, x).
// Keys are ignored while the focus is in a text field (Escape leaves the field).

import { typing } from "./dom.js";

let global = {};
let view = {};

export function setGlobalKeys(map) {
  global = map || {};
}

export function setViewKeys(map) {
  view = map || {};
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (document.querySelector("dialog[open]") && event.key !== "Escape") return;
  if (typing(event.target)) {
    if (event.key === "Escape" && event.target.blur && !document.querySelector("dialog[open]")) event.target.blur();
    return;
  }
  const handler = view[event.key] || global[event.key];
  if (handler) {
    event.preventDefault();
    handler(event);
  }
});

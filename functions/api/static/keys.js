// Keyboard shortcuts: global ones (?, /, Escape) and the current view's (j, k, r, c, e, o, x).
// Keys are ignored while the focus is in a text field (Escape leaves the field).

import { typing } from "./dom.js";

let global = {};
let view = {};
let viewPath = ""; // the route the view keys belong to: keys pressed after leaving it are not theirs

const routePath = () => location.hash.split("?")[0];

export function setGlobalKeys(map) {
  global = map || {};
}

export function setViewKeys(map) {
  view = map || {};
  viewPath = routePath();
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (document.querySelector("dialog[open]") && event.key !== "Escape") return;
  if (typing(event.target)) {
    if (event.key === "Escape" && event.target.blur && !document.querySelector("dialog[open]")) event.target.blur();
    return;
  }
  // Between a navigation and the next view's mount the old view's keys must not act (j pressed
  // twice quickly would otherwise move on from the ticket just left).
  const handler = (routePath() === viewPath ? view[event.key] : undefined) || global[event.key];
  if (handler) {
    event.preventDefault();
    handler(event);
  }
});

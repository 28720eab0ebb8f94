// Shared widgets: toasts, dialogs, badges, form fields, error texts.

import { h, uid, clear } from "./dom.js";
import { t } from "./i18n.js";

export function toast(message, kind = "info", action) {
  const region = document.getElementById("toasts");
  if (!region) return;
  const item = h("div", { class: ["toast", `toast-${kind}`], role: kind === "error" ? "alert" : "status" },
    h("span", { text: message }));
  if (action) {
    item.append(h("button", { type: "button", class: "btn btn-small", text: action.label, on: {
      click: () => { item.remove(); action.run(); },
    } }));
  }
  const close = h("button", { type: "button", class: "toast-close", "aria-label": t("close"), text: "×",
    on: { click: () => item.remove() } });
  item.append(close);
  region.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 12000 : 5000);
}

export function errorText(error) {
  if (!error) return t("err.unknown");
  const status = error.status;
  const detail = error.body && error.body.message ? error.body.message : error.message;
  if (status === 0) return t("err.network");
  if (status === 401) return t("err.session");
  if (status === 403) return t("err.forbidden", { detail });
  if (status === 404) return t("err.notfound", { detail });
  if (status === 409) return t("err.conflict");
  if (status === 413) return t("err.toolarge");
  if (status === 429) return t("err.ratelimited");
  if (status === 400) return t("err.validation", { detail });
  if (status >= 500) return t("err.server", { detail });
  return detail || t("err.unknown");
}

export function showError(error) {
  toast(errorText(error), "error");
}

/** Disable `button` while `work()` runs; errors become a toast unless `quiet`. */
export async function busy(button, work, { quiet = false } = {}) {
  if (button) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  }
  try {
    return await work();
  } catch (error) {
    if (!quiet) showError(error);
    throw error;
  } finally {
    if (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }
}

export function openDialog(title, body, { wide = false, onClose } = {}) {
  const titleId = uid("dlg");
  const dialog = h("dialog", { class: ["dialog", wide && "dialog-wide"], "aria-labelledby": titleId },
    h("div", { class: "dialog-head" },
      h("h2", { id: titleId, text: title }),
      h("button", { type: "button", class: "icon-btn", "aria-label": t("close"), text: "×",
        on: { click: () => dialog.close() } })),
    body);
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (onClose) onClose();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

export function confirmDialog(text, { ok = t("ok"), danger = false, extra } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    const okButton = h("button", { type: "button", class: ["btn", danger ? "btn-danger" : "btn-primary"], text: ok,
      on: { click: () => { answer = true; dialog.close(); } } });
    const body = h("div", { class: "dialog-body" },
      h("p", { text }),
      extra || null,
      h("div", { class: "actions" },
        h("button", { type: "button", class: "btn", text: t("cancel"), on: { click: () => dialog.close() } }),
        okButton));
    const dialog = openDialog(t("confirm"), body, { onClose: () => resolve(answer) });
    okButton.focus();
  });
}

export function statusBadge(status, label) {
  return h("span", { class: ["badge", `st-${status}`], text: label });
}

// The most urgent SLA clock (GET /tickets: sla): time left, or "verletzt"; nothing once met (unless asked).
export function slaBadge(sla, fmtRelative, fmtDateTime, all) {
  if (!sla || (!all && ["met", "cancelled"].includes(sla.state))) return null;
  const live = ["running", "warning"].includes(sla.state) && sla.due_at;
  return h("span", { class: ["flag", "sla", `sla-${sla.state}`], "data-sla": sla.state,
    title: `${t(`sla.${sla.metric}`)}${sla.due_at ? ` · ${fmtDateTime(sla.due_at)}` : ""}`,
    text: live ? `${t("sla")} ${fmtRelative(sla.due_at)}` : t(`sla.${sla.state}`) });
}

export function prioBadge(priority, label) {
  return h("span", { class: ["prio", `prio-${priority}`], text: label });
}

export function tagChip(tag, onClick) {
  if (!onClick) return h("span", { class: "tag", text: tag });
  return h("button", { type: "button", class: "tag", text: tag, title: t("filter.bytag", { tag }),
    on: { click: (event) => { event.stopPropagation(); onClick(tag); } } });
}

/** A labelled control: a div.field with a label bound to the control (which gets an id). */
export function field(label, control, { hint, wide = false, cls } = {}) {
  if (!control.id) control.id = uid();
  const hintId = hint ? uid("hint") : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  const isCheck = control.type === "checkbox" || control.type === "radio";
  const labelEl = h("label", { htmlFor: control.id, text: label });
  return h("div", { class: ["field", isCheck && "field-check", wide && "field-wide", cls] },
    isCheck ? [control, labelEl] : [labelEl, control],
    hint ? h("small", { id: hintId, class: "hint", text: hint }) : null);
}

export function selectEl(options, value, props = {}) {
  const select = h("select", props);
  for (const option of options) {
    if (option.group) {
      const group = h("optgroup", { label: option.group });
      for (const o of option.options) group.append(h("option", { value: o.value, text: o.label }));
      select.append(group);
    } else {
      select.append(h("option", { value: option.value, text: option.label, disabled: option.disabled }));
    }
  }
  select.value = value === null || value === undefined ? "" : value;
  return select;
}

export function loading(container) {
  clear(container);
  container.append(h("p", { class: "loading", role: "status", text: t("loading") }));
}

export function failed(container, error, retry) {
  clear(container);
  container.append(h("div", { class: "error-box", role: "alert" },
    h("p", { text: errorText(error) }),
    retry ? h("button", { type: "button", class: "btn", text: t("retry"), on: { click: retry } }) : null));
}

let baseTitle = "Helpdesk";
let badge = 0;

export function setTitle(text) {
  baseTitle = text ? `${text} – Helpdesk` : "Helpdesk";
  document.title = badge ? `(${badge}) ${baseTitle}` : baseTitle;
}

/** The count of new tickets in the tab's title and favicon ("(3) Ticketliste – Helpdesk"); 0 clears it. */
export function setBadge(count) {
  if (count === badge) return;
  badge = count;
  document.title = badge ? `(${badge}) ${baseTitle}` : baseTitle;
  const icon = document.querySelector("link[rel=icon]");
  if (!icon) return;
  if (!icon.dataset.plain) icon.dataset.plain = icon.getAttribute("href");
  if (!badge) {
    icon.setAttribute("href", icon.dataset.plain);
    icon.setAttribute("type", "image/svg+xml");
    return;
  }
  const shown = badge;
  const image = new Image();
  image.addEventListener("load", () => {
    if (shown !== badge) return;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const g = canvas.getContext("2d");
    g.drawImage(image, 0, 0, 64, 64);
    g.fillStyle = "#c5221f";
    g.beginPath();
    g.arc(44, 20, 20, 0, 2 * Math.PI);
    g.fill();
    g.fillStyle = "#fff";
    g.font = "bold 26px sans-serif";
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillText(shown > 9 ? "9+" : String(shown), 44, 21);
    icon.setAttribute("type", "image/png");
    icon.setAttribute("href", canvas.toDataURL("image/png"));
  });
  image.src = icon.dataset.plain;
}

/** Mark the form control named by an API error's `field` (e.g. "autoreply_body.de"). */
export function markInvalid(form, error) {
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  if (!error || !error.field) return;
  const target = form.querySelector(`[name="${CSS.escape(error.field)}"]`);
  if (target) {
    target.setAttribute("aria-invalid", "true");
    target.focus();
  }
}

/** Split "a@x.de, Name <b@y.de>; c@z" into [{name, address}]. */
export function parseAddresses(text) {
  const out = [];
  for (const part of (text || "").split(/[,;\n]/)) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const match = trimmed.match(/^(.*)<([^<>\s]+@[^<>\s]+)>$/);
    if (match) out.push({ name: match[1].trim().replace(/^"|"$/g, ""), address: match[2].trim() });
    else out.push({ name: "", address: trimmed });
  }
  return out;
}

export function formatAddress(address) {
  if (!address) return "";
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

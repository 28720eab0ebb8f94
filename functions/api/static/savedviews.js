// Saved views ("Eigene Ordner"): the inbox's views with their counts (built in: the tabs), saving the current
// filter as a view, changing and deleting one's own. Counts come again on live changes, at most every 2 s.

import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { api } from "./http.js";
import { isAdmin } from "./store.js";
import { toast, showError, confirmDialog, field } from "./ui.js";

const COUNT_GAP_MS = 2000;

// tabs: the built-in views' buttons by id; opts.active(): the saved view shown; opts.open(view): show it;
// opts.query(): the current filter as a view's query.
export function savedViews(tabs, opts) {
  const list = h("div", { class: "tabs views", role: "group", "aria-label": t("views.label") });
  const bar = h("div", { class: "views-bar" }, list);
  let views = [];
  let timer = 0;
  let last = 0;

  const badge = (v) => h("span", { class: "view-count", "data-count": "", text: v.more ? `${v.count}+` : String(v.count) });

  function render() {
    for (const v of views) {
      const tab = tabs[v.id];
      if (!tab) continue;
      const old = tab.querySelector(".view-count");
      if (old) old.replaceWith(badge(v)); else tab.append(" ", badge(v));
    }
    const own = views.filter((v) => !v.built_in);
    const active = own.find((v) => v.id === opts.active());
    replace(list,
      own.map((v) => h("button", { type: "button", class: ["tab", "view"], "data-view": v.id,
        "aria-pressed": String(v.id === opts.active()), title: v.owner ? t("views.mine") : t("views.shared"),
        on: { click: () => opts.open(v) } }, v.name, " ", badge(v))),
      h("button", { type: "button", class: "btn btn-quiet", "data-save-view": "", text: t("views.save"),
        on: { click: () => edit(null) } }),
      active && active.editable ? [
        h("button", { type: "button", class: "btn btn-quiet", "data-edit-view": "", text: t("views.update"),
          on: { click: () => edit(active) } }),
        h("button", { type: "button", class: "btn btn-quiet", "data-delete-view": "", text: t("views.delete"),
          on: { click: () => remove(active) } }),
      ] : null);
  }

  async function refresh() {
    clearTimeout(timer);
    last = Date.now();
    try {
      views = (await api("views")).items;
      render();
    } catch {
      // counts come again with the next change
    }
  }

  // A live change: count again, at most once per COUNT_GAP_MS.
  function changed() {
    clearTimeout(timer);
    timer = setTimeout(refresh, Math.max(0, last + COUNT_GAP_MS - Date.now()));
  }

  async function edit(view) {
    const name = h("input", { type: "text", name: "view-name", required: true, maxlength: 80, value: view ? view.name : "" });
    const shared = h("input", { type: "checkbox", name: "view-shared", checked: view ? !view.owner : false });
    const extra = h("div", {}, field(t("views.name"), name),
      isAdmin() ? h("label", { class: "check" }, shared, " ", t("views.share")) : null);
    setTimeout(() => name.focus(), 0);
    if (!(await confirmDialog(view ? t("views.update.text") : t("views.save.text"), { extra })) || !name.value.trim()) return;
    const body = { name: name.value.trim(), shared: isAdmin() && shared.checked, query: opts.query() };
    try {
      const saved = await api(view ? `views/${encodeURIComponent(view.id)}` : "views", { method: view ? "PUT" : "POST", body });
      toast(t("views.saved", { name: saved.name }), "success");
      await refresh();
      opts.open(saved);
    } catch (error) {
      showError(error);
    }
  }

  async function remove(view) {
    if (!(await confirmDialog(t("views.delete.confirm", { name: view.name }), { danger: true, ok: t("views.delete") }))) return;
    try {
      await api(`views/${encodeURIComponent(view.id)}`, { method: "DELETE" });
      opts.open(null);
      await refresh();
    } catch (error) {
      showError(error);
    }
  }

  return { el: bar, refresh, changed, render, stop: () => clearTimeout(timer) };
}

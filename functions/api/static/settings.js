// My settings (#/settings): which notifications reach me in the app (the bell) and by mail (issue 12, part 4),
// and my own signature and phone number (above the signature of the mailbox a reply goes from; issue 14), and the
// further addresses I mail from with my own mail program (their mail joins tickets as mine).

import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import "./i18n-views.js";
import { api } from "./http.js";
import { state } from "./store.js";
import { busy, errorText, failed, field, loading, markInvalid, setTitle, toast } from "./ui.js";

const KINDS = ["new_ticket", "assigned", "customer_replied", "forward_answered", "mentioned", "reopened", "deadline_warning", "deadline_missed", "automation"];
const CHANNELS = ["app", "mail"];

export function mount(main) {
  setTitle(t("ntf.prefs.title"));
  loading(main);
  let alive = true;
  api("notifications/preferences").then((prefs) => {
    if (!alive) return;
    const boxes = new Map();
    const rows = KINDS.map((kind) => h("tr", {},
      h("th", { scope: "row", text: t(`ntf.pref.${kind}`) }),
      CHANNELS.map((channel) => {
        const box = h("input", { type: "checkbox", name: `${kind}.${channel}`,
          "aria-label": `${t(`ntf.pref.${kind}`)}: ${t(`ntf.channel.${channel}`)}` });
        box.checked = Boolean(prefs.preferences[kind]?.[channel]);
        boxes.set(`${kind}.${channel}`, box);
        return h("td", {}, box);
      })));
    const save = h("button", { type: "submit", class: "btn btn-primary", text: t("save") });
    const form = h("form", { class: "card ntf-prefs", novalidate: true },
      h("h1", { text: t("ntf.prefs.title") }),
      h("p", { class: "muted", text: t("ntf.prefs.intro") }),
      h("table", { class: "table" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("ntf.prefs.event") }),
          CHANNELS.map((c) => h("th", { scope: "col", text: t(`ntf.channel.${c}`) })))),
        h("tbody", {}, rows)),
      h("div", { class: "form-actions" }, save));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const preferences = Object.fromEntries(KINDS.map((kind) => [kind,
        Object.fromEntries(CHANNELS.map((c) => [c, boxes.get(`${kind}.${c}`).checked]))]));
      busy(save, async () => {
        await api("notifications/preferences", { method: "PUT", body: { preferences } });
        toast(t("ntf.prefs.saved"), "success");
      });
    });
    replace(main, form, profileForm());
  }).catch((error) => { if (alive) failed(main, error, () => mount(main)); });
  return () => { alive = false; };
}

function profileForm() {
  const me = state.me || {};
  const phone = h("input", { name: "phone", type: "tel", autocomplete: "tel", maxlength: "50", value: me.phone || "" });
  const signature = h("textarea", { name: "signature", rows: "4", maxlength: "5000" });
  signature.value = me.signature || "";
  const aliases = h("textarea", { name: "aliases", rows: "2", autocomplete: "off", spellcheck: "false" });
  aliases.value = (me.aliases || []).join("\n");
  const away = h("input", { type: "checkbox", name: "away", checked: !!me.away });
  const error = h("div", { class: "form-error", role: "alert" });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: t("save") });
  const form = h("form", { class: "card me-profile", novalidate: true },
    h("h2", { text: t("me.profile") }),
    h("p", { class: "muted", text: t("me.profile.intro") }),
    h("div", { class: "form-grid" },
      field(t("me.phone"), phone, { hint: t("me.phone.hint") }),
      field(t("me.signature"), signature, { wide: true, hint: t("adm.mb.signature.hint") }),
      field(t("me.aliases"), aliases, { wide: true, hint: t("me.aliases.hint") }),
      h("label", { class: "check" }, away, " ", t("me.away"))),
    error,
    h("div", { class: "form-actions" }, save));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    busy(save, async () => {
      try {
        state.me = await api("me/profile", { method: "PUT", body: {
          phone: phone.value.trim(), signature: signature.value,
          aliases: aliases.value.split(/[\s,;]+/).filter(Boolean), away: away.checked } });
        toast(t("me.saved"), "success");
      } catch (err) {
        error.textContent = errorText(err);
        markInvalid(form, err);
      }
    });
  });
  return form;
}

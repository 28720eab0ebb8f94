// CSV downloads that need the login (the inbox view, the reports): fetched with the bearer token, saved
// through a blob link. Loaded on the first click (not part of the first page).

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { ApiError, freshToken } from "./http.js";
import { toast, errorText } from "./ui.js";

export async function downloadCsv(path, query, button) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== null && value !== undefined && value !== "" && key !== "cursor") params.set(key, String(value));
  }
  if (button) button.disabled = true;
  try {
    const response = await fetch(`${path}?${params}`, { headers: { Authorization: `Bearer ${await freshToken()}` },
      credentials: "omit", cache: "no-store" });
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
    const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    const link = h("a", { href: URL.createObjectURL(await response.blob()), download: name ? name[1] : "export.csv",
      hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 30000);
    if (response.headers.get("X-Export-Truncated") === "true") {
      toast(t("csv.truncated", { n: response.headers.get("X-Export-Rows") }), "info");
    }
  } catch (error) {
    toast(errorText(error), "error");
  } finally {
    if (button) button.disabled = false;
  }
}

// The demo host page: embeds the sample plugin from the other origin of this demo (localhost ↔ 127.0.0.1,
// same port), or the plugin page given as ?plugin= (the stand-in's plugin built on @ofs-users/plugin). The address
// can only choose among the plugin client's registered origins: the bridge refuses to open any other. It shows what
// the plugin sends it.
import { PluginHost } from "../host.js";

const log = (text) => document.getElementById("host-log").append(Object.assign(document.createElement("li"), { textContent: text }));
const here = new URL(location.href);
const pluginOrigin = `${here.protocol}//${here.hostname === "localhost" ? "127.0.0.1" : "localhost"}${here.port ? `:${here.port}` : ""}`;
const demo = here.pathname.replace(/host\.html$/, "");
const chosen = here.searchParams.has("plugin") ? new URL(here.searchParams.get("plugin")) : null;
document.getElementById("plugin-origin").textContent = chosen ? chosen.origin : pluginOrigin;
// Two frames that are not the plugin try to use the bridge: one of an opaque origin, one of the plugin's origin.
for (const id of ["foreign-sandboxed", "foreign-same-origin"]) {
  /** @type {HTMLIFrameElement} */ (document.getElementById(id)).src = `${pluginOrigin}${demo}foreign.html`;
}

try {
  const plugin = await PluginHost.open({
    iframe: document.getElementById("plugin"),
    pluginClientId: here.searchParams.get("client_id") || "field-service-plugin",
    pluginOrigin: chosen ? chosen.origin : pluginOrigin,
    src: chosen ? chosen.href : `${pluginOrigin}${demo}plugin.html${here.searchParams.has("asObjects") ? "?asObjects" : ""}`,
    openData: { activity: { aid: "4225274", astatus: "pending", caddress: "1 Demo Street" } },
    openLinks: [chosen ? chosen.origin : pluginOrigin], // the plugin's own site (its help pages, say), nothing else
    // Forms live in Field Service; this host has one draft to show what a host may answer.
    procedures: { getFormDrafts: async () => [{ draftId: "d-1", submittedAt: "2026-12-06 09:00:00", formLabel: "inspection",
      formTitle: "Inspection", userName: "technician", activityId: "4225274", inventoryId: null }] },
  });
  document.getElementById("user").textContent = plugin.user;
  log(`opened for ${plugin.user} in ${plugin.environment.environmentName}`);
  // A host saves each update (to its own server, say) before it takes the next: none is lost meanwhile.
  (async function updates() {
    for (let update; (update = await plugin.nextUpdate()) !== null;) {
      log(`update: ${JSON.stringify(update.activity ?? {})}`);
      await new Promise((saved) => setTimeout(saved, 300));
    }
    log("updates: no more");
  })();
  const end = /** @type {HTMLButtonElement} */ (document.getElementById("end"));
  end.addEventListener("click", () => plugin.dispose()); // the person closes the plugin's pane: the host ends it
  end.disabled = false;
  const closed = await plugin.closed;
  end.disabled = true;
  if (closed === null) {
    log("closed by the host");
  } else {
    log(`closed: ${JSON.stringify(closed.activity ?? {})}`);
    const back = Object.fromEntries(Object.entries(closed).filter(([key]) => key.startsWith("back")));
    if (Object.keys(back).length) log(`back: ${JSON.stringify(back)}`); // where Field Service would go next: the host's to follow
  }
} catch (error) {
  log(`could not open the plugin: ${error.message}`);
}

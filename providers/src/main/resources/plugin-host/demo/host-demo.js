// The demo host page: embeds the sample plugin from the other origin of this demo (localhost ↔ 127.0.0.1,
// same port; nothing in the address chooses what is framed here), and shows what the plugin sends it.
import { PluginHost } from "../host.js";

const log = (text) => document.getElementById("host-log").append(Object.assign(document.createElement("li"), { textContent: text }));
const here = new URL(location.href);
const pluginOrigin = `${here.protocol}//${here.hostname === "localhost" ? "127.0.0.1" : "localhost"}${here.port ? `:${here.port}` : ""}`;
const demo = here.pathname.replace(/host\.html$/, "");
document.getElementById("plugin-origin").textContent = pluginOrigin;
// Two frames that are not the plugin try to use the bridge: one of an opaque origin, one of the plugin's origin.
document.getElementById("foreign-sandboxed").src = `${pluginOrigin}${demo}foreign.html`;
document.getElementById("foreign-same-origin").src = `${pluginOrigin}${demo}foreign.html`;

try {
  const plugin = await PluginHost.open({
    iframe: document.getElementById("plugin"),
    pluginClientId: here.searchParams.get("client_id") || "field-service-plugin",
    pluginOrigin,
    src: `${pluginOrigin}${demo}plugin.html${here.searchParams.has("asObjects") ? "?asObjects" : ""}`,
    openData: { activity: { aid: "4225274", astatus: "pending", caddress: "1 Demo Street" } },
  });
  document.getElementById("user").textContent = plugin.user;
  log(`opened for ${plugin.user} in ${plugin.environment.environmentName}`);
  (async function updates() {
    for (;;) log(`update: ${JSON.stringify((await plugin.nextUpdate()).activity ?? {})}`);
  })();
  const closed = await plugin.closed;
  log(`closed: ${JSON.stringify(closed.activity ?? {})}`);
} catch (error) {
  log(`could not open the plugin: ${error.message}`);
}

// A Field Service plugin written the way Oracle's samples are: a subclass of OFSPlugin from @ofs-users/plugin,
// which talks to its host (Field Service, or a page with Keycloak's host.js) and builds this.proxy, its client of
// the Field Service REST API, from the token of the "ofs" application. Nothing here knows about Keycloak.
import { OFSPlugin } from "@ofs-users/plugin";

// What happened, for people (the page) and for the tests (window.pluginLog).
window.pluginLog = [];
window.pluginClicks = [];
const record = (kind, message) => {
  window.pluginLog.push({ kind, message, at: performance.now() });
  document.getElementById("last").textContent = `${kind}: ${JSON.stringify(message, null, 2)}`;
};
const randomId = () => crypto.randomUUID().replaceAll("-", "");

class DemoPlugin extends OFSPlugin {
  constructor() {
    super("kcDemoLibraryPlugin");
  }

  async open(message) {
    window.openedAt = performance.now();
    record("open", { activity: message.activity, environment: message.environment, allowedProcedures: message.allowedProcedures,
      proxy: Boolean(this.proxy) });
    const shown = document.getElementById("proxy");
    if (!this.proxy) {
      shown.textContent = "no proxy: the host sent no ofs application, or refused its token";
      window.proxyCall = { status: "no proxy" };
      return;
    }
    const response = await this.proxy.getActivityDetails(message.activity?.aid ?? 0);
    window.proxyCall = { url: String(response.url), status: response.status, data: response.data };
    shown.textContent = `GET ${response.url}\n→ ${response.status}\n${JSON.stringify(response.data, null, 2)}`;
  }

  error(message) {
    record("error", message);
  }

  callProcedureResult(message) {
    record("callProcedureResult", message);
  }

  updateResult(message) {
    record("updateResult", message);
  }

  wakeup(message) {
    record("wakeup", message);
  }
}

window.readySentAt = performance.now();
const plugin = new DemoPlugin();

const buttons = {
  unknownKey: () => plugin.callProcedure({ callId: randomId(), procedure: "getAccessToken", params: { applicationKey: "no_such_application" } }),
  clientCredentials: () => plugin.callProcedure({ callId: randomId(), procedure: "getAccessToken", params: { applicationKey: "external_rest_api" } }),
  notAllowed: () => plugin.callProcedure({ callId: randomId(), procedure: "getAccessToken", params: { applicationKey: "fs_setup_api" } }),
  drafts: () => plugin.getFormDrafts(),
  openHelp: () => plugin.callProcedure({ callId: randomId(), procedure: "openLink", params: { url: `${location.origin}/plugin/index.html#help` } }),
  openElsewhere: () => plugin.callProcedure({ callId: randomId(), procedure: "openLink", params: { url: "https://elsewhere.example/" } }),
  openScript: () => plugin.callProcedure({ callId: randomId(), procedure: "openLink", params: { url: "javascript:alert(document.domain)" } }),
  scan: () => plugin.callProcedure({ callId: randomId(), procedure: "scanBarcode" }),
  closeToForm: () => plugin.closeAndOpenForm("inspection", { activityId: "4225274", formParams: { checked: true } }),
};
for (const [id, action] of Object.entries(buttons)) {
  document.getElementById(id).addEventListener("click", () => {
    window.pluginClicks.push(id);
    action();
  });
}

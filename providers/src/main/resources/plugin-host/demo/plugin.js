// A sample plugin written as Oracle Field Service plugins are: it knows nothing of Keycloak and talks only to
// the window that embeds it, with postMessage in the Plugin API protocol (apiVersion 1). It addresses its host
// by the origin of its referrer and listens to that window and origin alone.
(function () {
  "use strict";
  var hostOrigin = document.referrer ? new URL(document.referrer).origin : null;
  var asObjects = new URLSearchParams(location.search).has("asObjects");
  var FS = "urn:opc:resource:fusion:demo01:field-service-common";
  var FA = "urn:opc:resource:faaas:fa:demo01urn:opc:resource:consumer::all";
  var calls = 0;
  // What happened, for people (the page) and for the tests (window.pluginLog).
  window.pluginLog = [];

  window.pluginSent = [];
  window.pluginClicks = [];

  function send(message) {
    window.pluginSent.push(message);
    parent.postMessage(asObjects ? message : JSON.stringify(message), hostOrigin);
  }

  function callProcedure(procedure, params) {
    var callId = "call-" + (++calls) + "-" + Date.now();
    send({ apiVersion: 1, method: "callProcedure", callId: callId, procedure: procedure, params: params });
    return callId;
  }

  function claims(token) {
    var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  }

  function show(message) {
    var shown = message;
    if (message.method === "callProcedureResult" && message.resultData && message.resultData.token) {
      var c = claims(message.resultData.token);
      shown = { callId: message.callId, status: message.resultData.status,
        token: { sub: c.sub, azp: c.azp, aud: c.aud, scope: c.scope, lifetime: c.exp - c.iat } };
    }
    document.getElementById("answer").textContent = JSON.stringify(shown, null, 2);
  }

  window.addEventListener("message", function (event) {
    if (event.source !== parent || event.origin !== hostOrigin) {
      return;
    }
    var message = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
    window.pluginLog.push({ received: message, asString: typeof event.data === "string" });
    if (message.method === "init") {
      send({ apiVersion: 1, method: "initEnd" });
    } else if (message.method === "open") {
      var dl = document.getElementById("environment");
      ["environmentName", "fsUrl", "faUrl"].forEach(function (key) {
        dl.append(Object.assign(document.createElement("dt"), { textContent: key }),
          Object.assign(document.createElement("dd"), { textContent: message.environment[key] }));
      });
      dl.append(Object.assign(document.createElement("dt"), { textContent: "activity" }),
        Object.assign(document.createElement("dd"), { textContent: JSON.stringify(message.activity) }));
    } else {
      show(message);
    }
  });

  var buttons = {
    use: function () { callProcedure("getAccessTokenByScope", { scope: FS + "/use" }); },
    // The application the plugin client has registered under this key (init.applications): its scope is the server's.
    app: function () { callProcedure("getAccessToken", { applicationKey: "fs_rest_api" }); },
    mixed: function () { callProcedure("getAccessTokenByScope", { scope: FS + "/use " + FA }); },
    // A declared resource this plugin's client was not given: the server refuses, the host does not hide it.
    notGiven: function () { callProcedure("getAccessTokenByScope", { scope: FA }); },
    unknown: function () { callProcedure("getWeather", { city: "Tokyo" }); },
    malformed: function () { parent.postMessage("{\"apiVersion\":1,\"method\":\"callProcedure\",", hostOrigin); },
    method: function () { send({ apiVersion: 1, method: "dance", callId: "dance-1" }); },
    several: function () {
      ["/use", "/view", "/use"].forEach(function (s) { callProcedure("getAccessTokenByScope", { scope: FS + s }); });
    },
    update: function () { send({ apiVersion: 1, method: "update", activity: { aid: "4225274", astatus: "started" } }); },
    updates: function () {
      ["started", "suspended", "started"].forEach(function (astatus) {
        send({ apiVersion: 1, method: "update", activity: { aid: "4225274", astatus: astatus } });
      });
    },
    close: function () { send({ apiVersion: 1, method: "close", activity: { aid: "4225274", astatus: "completed" } }); },
    // Five calls, then this frame goes to a page of another origin before the answers come: they must not reach it.
    leave: function () {
      for (var i = 0; i < 5; i++) callProcedure("getAccessTokenByScope", { scope: FS + "/use" });
      var elsewhere = new URL(location.href);
      elsewhere.hostname = elsewhere.hostname === "127.0.0.1" ? "localhost" : "127.0.0.1";
      location.replace(elsewhere.href.replace(/plugin\.html.*$/, "foreign.html"));
    }
  };
  Object.keys(buttons).forEach(function (id) {
    document.getElementById(id).addEventListener("click", function () {
      window.pluginClicks.push(id);
      buttons[id]();
    });
  });

  send({ apiVersion: 1, method: "ready", sendInitData: true, sendMessageAsJsObject: asObjects });
})();

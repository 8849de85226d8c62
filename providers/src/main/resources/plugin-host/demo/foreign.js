// A frame that is not the embedded plugin asks the host for a token, in both message forms, and counts
// whatever comes back: the host must answer nothing.
(function () {
  "use strict";
  window.received = [];
  window.addEventListener("message", function (event) {
    window.received.push(typeof event.data === "string" ? event.data : JSON.stringify(event.data));
    document.getElementById("got").textContent = String(window.received.length);
  });
  var call = { apiVersion: 1, method: "callProcedure", callId: "foreign-1", procedure: "getAccessTokenByScope",
    params: { scope: "urn:opc:resource:fusion:demo01:field-service-common/use" } };
  function ask() {
    parent.postMessage(call, "*");
    parent.postMessage(JSON.stringify(call), "*");
    parent.postMessage({ apiVersion: 1, method: "ready", sendInitData: false }, "*");
  }
  // Again and again for a while, so that some of the asking happens while the host's bridge listens.
  var rounds = 0;
  ask();
  var timer = setInterval(function () {
    ask();
    if (++rounds >= 30) clearInterval(timer);
  }, 500);
})();

// Live self-check: while the operator types, ask the server to evaluate the form as it stands
// (nothing is saved) and replace the panel. Without JavaScript the panel updates on save.
(function () {
  "use strict";
  var panel = document.querySelector("[data-selfcheck]");
  var form = document.querySelector("form.app-form");
  if (!panel || !form || !window.fetch) { return; }
  var timer = null;
  var pending = null;
  function refresh() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var body = new URLSearchParams(new FormData(form));
    fetch(panel.getAttribute("data-selfcheck"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      signal: pending.signal
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null) { panel.innerHTML = html; }
    }).catch(function () { /* offline or aborted: keep the last panel */ });
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 700);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();

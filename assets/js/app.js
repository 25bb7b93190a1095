// oanode's own script: small progressive enhancements only; every page works without it.
(function () {
  "use strict";
  // Send the CSRF token (a meta tag, once sign-in lands) with every htmx request.
  document.addEventListener("htmx:configRequest", function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) e.detail.headers["X-CSRF-Token"] = meta.content;
  });
  // Forms with data-confirm ask first (disabling an account, resetting a password). Without
  // script they simply submit: the action is still audited and reversible.
  document.addEventListener("submit", function (e) {
    var msg = e.target && e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  // The directory's unit tree starts folded on a phone, so the people come first.
  var units = document.querySelector("details[data-phone-collapse]");
  if (units && window.matchMedia("(max-width: 720px)").matches) units.open = false;
})();

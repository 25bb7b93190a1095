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
  // Workflow and document forms: a picked file uploads at once (POST data-upload-url, by default
  // /api/v1/workflow/attachments) and comes
  // back as a ticked box named like the field, so the form posts the attachment's id.
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input || !input.getAttribute || !input.getAttribute("data-upload")) return;
    var name = input.getAttribute("data-upload");
    var list = document.querySelector('[data-files="' + name + '"]');
    Array.prototype.forEach.call(input.files || [], function (file) {
      var chip = document.createElement("label");
      chip.className = "file-chip uploading";
      chip.textContent = file.name;
      if (list) list.appendChild(chip);
      var url = input.getAttribute("data-upload-url") || "/api/v1/workflow/attachments";
      fetch(url + "?name=" + encodeURIComponent(file.name), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": input.getAttribute("data-csrf") || "", "Content-Type": file.type || "application/octet-stream" },
        body: file
      }).then(function (r) {
        return r.json().then(function (j) { return { ok: r.ok, j: j }; });
      }).then(function (res) {
        chip.classList.remove("uploading");
        if (!res.ok) {
          chip.classList.add("failed");
          chip.textContent = file.name + " — " + ((res.j.error && res.j.error.message) || "");
          return;
        }
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = name;
        box.value = res.j.id;
        box.checked = true;
        chip.textContent = " " + res.j.name;
        chip.insertBefore(box, chip.firstChild);
      }).catch(function () {
        chip.classList.add("failed");
      });
    });
    input.value = "";
  });
  // The directory's unit tree starts folded on a phone, so the people come first.
  var units = document.querySelector("details[data-phone-collapse]");
  if (units && window.matchMedia("(max-width: 720px)").matches) units.open = false;
})();
// The bell: its unread count, live from the inbox's event stream (the server says when it
// changes; the browser reconnects by itself). Without script the count is as of the page load.
(function () {
  "use strict";
  var bell = document.getElementById("inbox-bell");
  if (!bell || !window.EventSource) return;
  var badge = document.getElementById("inbox-count");
  var fresh = document.getElementById("inbox-fresh");
  var source = null;
  function show(n) {
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.hidden = n === 0;
    bell.setAttribute("aria-label", n === 0 ? bell.getAttribute("data-label")
      : bell.getAttribute("data-label-count").replace("{n}", String(n)));
    // On the inbox itself, more unread than the list shows: offer to refresh it.
    if (fresh && n > Number(fresh.getAttribute("data-unread"))) fresh.hidden = false;
  }
  function connect() {
    source = new EventSource("/api/v1/inbox/stream");
    source.addEventListener("unread", function (e) {
      var n;
      try { n = JSON.parse(e.data).unread; } catch (err) { return; }
      if (typeof n === "number") show(n);
    });
  }
  connect();
  // Leaving closes the stream at once (so the browser may keep the page in its cache); coming
  // back to a cached page opens it again, and its first event brings the count up to date.
  window.addEventListener("pagehide", function () {
    if (source) { source.close(); source = null; }
  });
  window.addEventListener("pageshow", function (e) {
    if (e.persisted && !source) connect();
  });
})();
// The template editor: each "add" button (hidden without script, where blank rows serve) copies
// its <template> into the list it controls, the names numbered after the list's last row.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-add-row]");
  if (!buttons.length) return;
  Array.prototype.forEach.call(buttons, function (b) { b.hidden = false; });
  document.addEventListener("click", function (e) {
    var b = e.target && e.target.closest ? e.target.closest("[data-add-row]") : null;
    if (!b) return;
    var tpl = document.getElementById(b.getAttribute("data-add-row"));
    var list = document.getElementById(b.getAttribute("aria-controls"));
    if (!tpl || !list || !tpl.content) return;
    var prefix = list.getAttribute("data-prefix");
    var next = 0;
    Array.prototype.forEach.call(list.querySelectorAll("[name]"), function (el) {
      if (el.name.indexOf(prefix) !== 0) return;
      var n = parseInt(el.name.slice(prefix.length), 10);
      if (n >= next) next = n + 1;
    });
    var row = tpl.content.firstElementChild.cloneNode(true);
    Array.prototype.forEach.call(row.querySelectorAll("[name]"), function (el) {
      el.name = el.name.replace("__P__", prefix + next + ".");
    });
    list.appendChild(row);
    var first = row.querySelector("select.rule-kind, input[name$='.key'], select[name$='.field']");
    if (first) first.focus();
  });
})();

// The header's search box: titles the reader may open, suggested while typing (debounced),
// chosen with the arrow keys and Enter, closed with Escape. Without script the box is a plain
// GET form to /search.
(function () {
  "use strict";
  var input = document.getElementById("top-search-q");
  var list = document.getElementById("top-search-list");
  if (!input || !list) return;
  var timer = null;
  var active = -1;
  var items = [];
  var last = "";
  var seq = 0;

  function close() {
    list.hidden = true;
    list.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    items = [];
    active = -1;
  }

  function mark(i) {
    active = i;
    Array.prototype.forEach.call(list.children, function (li, j) {
      li.setAttribute("aria-selected", j === i ? "true" : "false");
    });
    if (i >= 0 && list.children[i]) {
      input.setAttribute("aria-activedescendant", list.children[i].id);
      list.children[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(found) {
    list.textContent = "";
    items = found;
    active = -1;
    if (!found.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.setAttribute("role", "option");
      none.setAttribute("aria-disabled", "true");
      none.textContent = input.getAttribute("data-none") || "";
      list.appendChild(none);
    }
    found.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "top-search-opt-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var title = document.createElement("span");
      title.className = "s-title";
      title.textContent = s.title;
      var kind = document.createElement("span");
      kind.className = "s-kind";
      kind.textContent = input.getAttribute("data-kind-" + s.kind) || s.kind;
      li.appendChild(title);
      li.appendChild(kind);
      li.addEventListener("mousedown", function (e) {
        e.preventDefault();
        window.location.href = s.url;
      });
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function fetchSuggestions() {
    var q = input.value.trim();
    if (q === last) return;
    last = q;
    if (!q) { close(); return; }
    var mine = ++seq;
    fetch("/api/v1/search/suggest?q=" + encodeURIComponent(q), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) {
      return r.ok ? r.json() : { items: [] };
    }).then(function (j) {
      if (mine !== seq || input.value.trim() !== q) return;
      show(j.items || []);
    }).catch(function () { /* the form still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 200);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) {
      if (e.key === "ArrowDown" && input.value.trim()) { last = ""; fetchSuggestions(); e.preventDefault(); }
      return;
    }
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (items.length) mark((active + 1) % items.length);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      if (items.length) mark(active <= 0 ? items.length - 1 : active - 1);
    } else if (e.key === "Escape") {
      e.preventDefault();
      close();
    } else if (e.key === "Enter" && active >= 0 && items[active]) {
      e.preventDefault();
      window.location.href = items[active].url;
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
  input.addEventListener("focus", function () { last = ""; });
  // The search page without words: the box is where to start.
  if (window.location.pathname === "/search" && !input.value) input.focus();
})();

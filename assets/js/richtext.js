// Rich-text bodies (公文, news, notices, regulations): progressive enhancement of
// `<textarea data-richtext>`. The textarea holds the body as HTML and is what the form posts;
// without script it stays a plain textarea of HTML. With script, a Quill editor is mounted above
// it, the textarea is hidden, and the editor's HTML is written back on every change and on submit.
// The server sanitizes whatever arrives (src/web/richtext.rs): this editor is a convenience, not
// a defence.
//
//   <textarea name="body" id="body" data-richtext data-richtext-max="20000">…html…</textarea>
//
// data-richtext-max (characters of text, optional) shows a counter under the editor.
// Needs vendor/quill-2.0.3/quill.js and quill.snow.css, and css/richtext.css (see layout.html's
// `head` block). Mounts on load and again on every `htmx:load`, so swapped-in forms work too.
(function () {
  "use strict";
  var Quill = window.Quill;
  if (!Quill) return;

  var zh = /^zh/i.test(document.documentElement.lang || "");
  var T = zh ? {
    header: "段落格式", normal: "正文", h1: "标题 1", h2: "标题 2", h3: "标题 3",
    bold: "粗体", italic: "斜体", underline: "下划线", strike: "删除线",
    ordered: "编号列表", bullet: "项目符号列表", outdent: "减少缩进", indent: "增加缩进",
    align: "对齐", left: "左对齐", center: "居中", right: "右对齐", justify: "两端对齐",
    blockquote: "引用", link: "链接", clean: "清除格式",
    visit: "打开链接：", enter: "输入链接：", edit: "编辑", remove: "移除", save: "保存"
  } : {
    header: "Paragraph style", normal: "Normal", h1: "Heading 1", h2: "Heading 2", h3: "Heading 3",
    bold: "Bold", italic: "Italic", underline: "Underline", strike: "Strikethrough",
    ordered: "Numbered list", bullet: "Bulleted list", outdent: "Decrease indent", indent: "Increase indent",
    align: "Alignment", left: "Align left", center: "Center", right: "Align right", justify: "Justify",
    blockquote: "Quote", link: "Link", clean: "Clear formatting",
    visit: "Open link:", enter: "Enter link:", edit: "Edit", remove: "Remove", save: "Save"
  };

  // Exactly what the server keeps (src/web/richtext.rs): no images, video, colours or fonts —
  // files go in attachments. Pasted content is reduced to these formats too.
  var FORMATS = ["header", "bold", "italic", "underline", "strike", "list", "indent", "align",
    "blockquote", "link"];

  function el(tag, cls, title) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (title) { e.title = title; e.setAttribute("aria-label", title); }
    return e;
  }
  function button(cls, title, value) {
    var b = el("button", cls, title);
    b.type = "button";
    if (value) b.value = value;
    return b;
  }
  function select(cls, options) {
    var s = el("select", cls);
    options.forEach(function (o) {
      var opt = document.createElement("option");
      if (o[0]) opt.value = o[0]; else opt.selected = true;
      // The text becomes the picker item's data-label, which quill.snow.css shows.
      if (o[1]) opt.textContent = o[1];
      s.appendChild(opt);
    });
    return s;
  }
  function group() {
    var g = el("span", "ql-formats");
    Array.prototype.forEach.call(arguments, function (c) { g.appendChild(c); });
    return g;
  }
  function toolbar() {
    var bar = el("div", "rt-toolbar");
    bar.appendChild(group(select("ql-header", [["", T.normal], ["1", T.h1], ["2", T.h2], ["3", T.h3]])));
    bar.appendChild(group(button("ql-bold", T.bold), button("ql-italic", T.italic),
      button("ql-underline", T.underline), button("ql-strike", T.strike)));
    bar.appendChild(group(button("ql-list", T.ordered, "ordered"), button("ql-list", T.bullet, "bullet"),
      button("ql-indent", T.outdent, "-1"), button("ql-indent", T.indent, "+1")));
    bar.appendChild(group(select("ql-align", [[""], ["center"], ["right"], ["justify"]]),
      button("ql-blockquote", T.blockquote)));
    bar.appendChild(group(button("ql-link", T.link), button("ql-clean", T.clean)));
    return bar;
  }
  // Quill builds the pickers and re-labels the buttons; put our words back on them.
  function label(bar, tooltip) {
    var titled = function (node, title) {
      if (!node) return;
      node.title = title;
      node.setAttribute("aria-label", title);
    };
    titled(bar.querySelector(".ql-header .ql-picker-label"), T.header);
    titled(bar.querySelector(".ql-align .ql-picker-label"), T.align);
    [["", T.left], ["center", T.center], ["right", T.right], ["justify", T.justify]].forEach(function (a) {
      var sel = a[0] ? '.ql-align .ql-picker-item[data-value="' + a[0] + '"]'
        : ".ql-align .ql-picker-item:not([data-value])";
      titled(bar.querySelector(sel), a[1]);
    });
    Array.prototype.forEach.call(bar.querySelectorAll("button"), function (b) {
      if (b.title) b.setAttribute("aria-label", b.title);
    });
    // The link tooltip's words come from CSS (richtext.css shows these attributes).
    var set = function (node, name, value) { if (node) node.setAttribute(name, value); };
    set(tooltip, "data-label-visit", T.visit);
    set(tooltip, "data-label-enter", T.enter);
    var action = tooltip.querySelector("a.ql-action");
    set(action, "data-label-edit", T.edit);
    set(action, "data-label-save", T.save);
    set(tooltip.querySelector("a.ql-remove"), "data-label-remove", T.remove);
    set(tooltip.querySelector("input[type=text]"), "data-link", "https://");
  }

  // The editor's HTML without its own UI (list markers, the formatting cursor); "" when empty, so
  // a required body is refused by the server as empty rather than stored as <p><br></p>.
  function html(quill) {
    if (quill.getLength() <= 1) return "";
    var root = quill.root.cloneNode(true);
    Array.prototype.forEach.call(root.querySelectorAll(".ql-ui"), function (n) { n.remove(); });
    Array.prototype.forEach.call(root.querySelectorAll(".ql-cursor"), function (n) {
      n.replaceWith(document.createTextNode((n.textContent || "").replace(/\uFEFF/g, "")));
    });
    return root.innerHTML;
  }

  function load(quill, textarea) {
    var value = textarea.value;
    var delta = value.trim() ? quill.clipboard.convert({ html: value, text: "" }) : { ops: [] };
    quill.setContents(delta, Quill.sources.SILENT);
    quill.history.clear();
  }

  var editors = [];
  var seq = 0;

  function mount(textarea) {
    // A live editor already: nothing to do. A dead one (htmx restored a page from its history
    // cache, which keeps the editor's markup but not the editor): drop it and mount afresh.
    var prev = textarea.previousElementSibling;
    if (prev && prev.classList.contains("rt")) {
      var live = prev.querySelector(".ql-container");
      if (live && Quill.find(live) instanceof Quill) return;
      prev.remove();
    }
    // A label wrapping the textarea will wrap the toolbar too, whose first button or select would
    // become its control: tie it to the textarea by id first.
    var outer = textarea.closest("label");
    if (outer && !outer.htmlFor) {
      if (!textarea.id) textarea.id = "richtext-" + (++seq);
      outer.htmlFor = textarea.id;
    }
    var wrap = el("div", "rt");
    var bar = toolbar();
    var box = el("div", "rt-editor");
    wrap.appendChild(bar);
    wrap.appendChild(box);
    var max = parseInt(textarea.getAttribute("data-richtext-max") || "", 10);
    var counter = null;
    if (max > 0) {
      counter = el("div", "rt-counter");
      wrap.appendChild(counter);
    }
    textarea.parentNode.insertBefore(wrap, textarea);

    var quill = new Quill(box, {
      theme: "snow",
      formats: FORMATS,
      bounds: wrap,
      placeholder: textarea.getAttribute("placeholder") || "",
      modules: {
        toolbar: bar,
        // Markdown-like shortcuts: "1. ", "- ", "* " start lists; no "[ ] " checklists, which
        // the server does not keep.
        keyboard: { bindings: { "list autofill": { prefix: /^\s*?(\d+\.|-|\*)$/ } } }
      }
    });
    load(quill, textarea);
    label(bar, quill.theme.tooltip.root);

    var root = quill.root;
    root.setAttribute("role", "textbox");
    root.setAttribute("aria-multiline", "true");
    // The textarea's label names the editor, and a click on it focuses the editor. A label that
    // wraps the textarea wraps the editor too: clicks inside the editor must not activate it.
    var labels = textarea.labels && textarea.labels.length ? textarea.labels : [];
    if (labels.length) {
      if (!labels[0].id) labels[0].id = (textarea.id || textarea.name || "richtext") + "-label";
      root.setAttribute("aria-labelledby", labels[0].id);
      Array.prototype.forEach.call(labels, function (l) {
        l.addEventListener("click", function (e) { if (!wrap.contains(e.target)) quill.focus(); });
      });
      if (wrap.closest("label")) {
        wrap.addEventListener("click", function (e) {
          if (!(e.target.closest && e.target.closest("a"))) e.preventDefault();
        });
      }
    }
    var described = textarea.getAttribute("aria-describedby");
    if (described) root.setAttribute("aria-describedby", described);
    if (textarea.required) {
      // A hidden required field would block the form with no visible message; the server
      // refuses an empty body with a field error instead.
      textarea.required = false;
      root.setAttribute("aria-required", "true");
    }
    if (textarea.disabled || textarea.readOnly) quill.enable(false);

    function count() {
      if (!counter) return;
      var n = quill.getLength() - 1;
      counter.textContent = n + " / " + max;
      counter.classList.toggle("rt-over", n > max);
      wrap.classList.toggle("rt-invalid", n > max);
    }
    function sync() {
      var value = html(quill);
      if (value === textarea.value) return;
      textarea.value = value;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    quill.on("text-change", function () { sync(); count(); });
    count();

    textarea.hidden = true;
    textarea.setAttribute("data-richtext-mounted", "");
    editors.push({
      textarea: textarea, wrap: wrap, quill: quill, sync: sync,
      reload: function () { load(quill, textarea); count(); }
    });
  }

  function mountAll(scope) {
    var root = scope && scope.querySelectorAll ? scope : document;
    var list = Array.prototype.slice.call(root.querySelectorAll("textarea[data-richtext]"));
    if (root.matches && root.matches("textarea[data-richtext]")) list.push(root);
    list.forEach(mount);
    // Forget editors whose textarea left the page (htmx swapped them out).
    editors = editors.filter(function (e) { return e.textarea.isConnected; });
  }

  function inForm(form, fn) {
    editors.forEach(function (e) {
      if (e.textarea.form === form) fn(e);
    });
  }
  // Every change is already written back; this also catches a submit that races an IME
  // composition or a pending Quill update.
  document.addEventListener("submit", function (e) {
    inForm(e.target, function (ed) { ed.quill.update(Quill.sources.USER); ed.sync(); });
  }, true);
  document.addEventListener("reset", function (e) {
    var form = e.target;
    // The textarea is reset after the event: reload the editor from it afterwards.
    setTimeout(function () { inForm(form, function (ed) { ed.reload(); }); }, 0);
  });
  document.addEventListener("htmx:load", function (e) { mountAll(e.target); });
  // htmx keeps a copy of the page for the back button (its innerHTML, taken right after this
  // event). Keep the editors out of it: their inline styles would break the CSP when it is put
  // back, and their markup is dead without Quill. The textareas go in (mounted again on restore);
  // the editors come back as soon as the copy is taken.
  document.addEventListener("htmx:beforeHistorySave", function () {
    var out = editors.filter(function (ed) { return ed.textarea.isConnected; });
    out.forEach(function (ed) {
      ed.sync();
      ed.wrap.remove();
      ed.textarea.hidden = false;
    });
    if (!out.length) return;
    queueMicrotask(function () {
      out.forEach(function (ed) {
        if (!ed.textarea.parentNode) return;
        ed.textarea.parentNode.insertBefore(ed.wrap, ed.textarea);
        ed.textarea.hidden = true;
      });
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { mountAll(document); });
  } else {
    mountAll(document);
  }
})();

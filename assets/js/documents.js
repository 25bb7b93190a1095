// The print view: a copy just taken (it has its copy number, 份号) opens the print dialog.
(function () {
  var sheet = document.querySelector("[data-autoprint]");
  if (sheet) window.addEventListener("load", function () { window.print(); });
})();

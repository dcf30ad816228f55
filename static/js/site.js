// Small enhancements only: every page works without JavaScript.
(function () {
  "use strict";
  // Loaded in <head> without defer, so this runs before the first paint: the CSS folds the phone menu
  // only on scripted pages, and the page never shows the menu open and then snaps it shut.
  document.documentElement.classList.add("js");

  // On sign-up, pre-select the browser's time zone if the member hasn't chosen one.
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector(".js-timezone select");
    if (!select || select.value !== "UTC") { return; }
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && select.querySelector('option[value="' + zone + '"]')) { select.value = zone; }
    } catch (e) { /* older browsers: UTC stays selected */ }
  });

  // The phone menu: a disclosure button (the CSS hides the links while aria-expanded is false).
  // Escape or a tap elsewhere closes it; Escape from inside returns focus to the button.
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) { return; }
    function setOpen(open) { button.setAttribute("aria-expanded", open ? "true" : "false"); }
    function isOpen() { return button.getAttribute("aria-expanded") === "true"; }
    button.hidden = false;
    button.addEventListener("click", function () { setOpen(!isOpen()); });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !isOpen()) { return; }
      var focusInside = menu.contains(document.activeElement);
      setOpen(false);
      if (focusInside || document.activeElement === button) { button.focus(); }
    });
    document.addEventListener("click", function (event) {
      if (isOpen() && !menu.contains(event.target) && !button.contains(event.target)) { setOpen(false); }
    });
  });

  // Section menus scroll sideways on a phone: bring the current section into view, so "where am I"
  // is answered without scrolling the row by hand.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".section-nav ul").forEach(function (row) {
      var current = row.querySelector('[aria-current="page"]');
      if (!current || row.scrollWidth <= row.clientWidth) { return; }
      var rowBox = row.getBoundingClientRect(), box = current.getBoundingClientRect();
      row.scrollLeft += box.left - rowBox.left - (rowBox.width - box.width) / 2;
    });
  });
})();

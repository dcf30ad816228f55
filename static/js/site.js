// Small enhancements only: every page works without JavaScript.
(function () {
  "use strict";
  // On sign-up, pre-select the browser's time zone if the member hasn't chosen one.
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector(".js-timezone select");
    if (!select || select.value !== "UTC") { return; }
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && select.querySelector('option[value="' + zone + '"]')) { select.value = zone; }
    } catch (e) { /* older browsers: UTC stays selected */ }
  });
})();

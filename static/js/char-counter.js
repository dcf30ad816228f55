// A live "1,234 of 5,000" under every text box that has a maxlength and a data-counter attribute.
// Without JavaScript the box keeps its maxlength and the limit written beside it.
(function () {
  "use strict";
  var format = new Intl.NumberFormat("en-GB");

  function counter(box) {
    var limit = parseInt(box.getAttribute("maxlength"), 10);
    if (!(limit > 0)) { return; }
    // The browser would silently drop the end of a long paste at maxlength. With the counter
    // showing the excess, the whole text stays in the box for the member to shorten, and the
    // server refuses it (keeping it all) if it is sent too long anyway.
    box.removeAttribute("maxlength");
    box.setAttribute("data-limit", String(limit));
    var shown = document.createElement("p");
    shown.className = "char-counter";
    shown.id = box.id + "-counter";
    shown.setAttribute("aria-hidden", "true");
    // Screen readers hear the count once typing pauses, not at every key.
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", spoken);
    box.insertAdjacentElement("afterend", shown);
    var timer = null;

    function words() {
      // Count line breaks once, as the server does.
      var used = box.value.replace(/\r\n/g, "\n").length;
      var text = format.format(used) + " of " + format.format(limit) + " characters";
      if (used > limit) { text += " — " + format.format(used - limit) + " too many"; }
      shown.textContent = text;
      shown.classList.toggle("char-counter-over", used > limit);
      return text;
    }

    words();
    box.addEventListener("input", function () {
      var text = words();
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { spoken.textContent = text; }, 800);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("textarea[maxlength][data-counter], input[maxlength][data-counter]");
    Array.prototype.forEach.call(boxes, counter);
  });
})();

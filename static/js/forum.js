// Forum composer enhancement: save what is typed as a server-side draft every few
// seconds. Without JavaScript the "Save draft" button does the same.
(function () {
  "use strict";
  var DELAY = 2500;

  function setUp(form) {
    var url = form.getAttribute("data-draft-url");
    var key = form.getAttribute("data-draft-key");
    var token = form.querySelector('input[name="csrf_token"]');
    var status = form.querySelector(".draft-status");
    var title = form.querySelector('[name="title"]');
    var body = form.querySelector('[name="body"]');
    if (!url || !key || !token || !body || !window.fetch) { return; }
    var timer = null;
    var lastSent = (title ? title.value : "") + "\u0000" + body.value;

    function say(text) { if (status) { status.textContent = text; } }

    function save() {
      var current = (title ? title.value : "") + "\u0000" + body.value;
      if (current === lastSent) { return; }
      var data = new URLSearchParams();
      data.append("key", key);
      data.append("title", title ? title.value : "");
      data.append("body", body.value);
      data.append("csrf_token", token.value);
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token.value },
        body: data
      }).then(function (response) {
        if (response.ok) {
          lastSent = current;
          var now = new Date();
          say("Draft saved at " + now.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + ".");
        } else {
          say("Couldn't save a draft just now. Your text is still here.");
        }
      }).catch(function () {
        say("Couldn't save a draft just now. Your text is still here.");
      });
    }

    function schedule() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, DELAY);
    }
    body.addEventListener("input", schedule);
    if (title) { title.addEventListener("input", schedule); }
    form.addEventListener("submit", function () { if (timer) { clearTimeout(timer); } });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form.js-draft");
    for (var i = 0; i < forms.length; i++) { setUp(forms[i]); }
  });
})();

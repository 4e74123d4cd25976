// Progressive enhancement only: every page works without this file.
// - a page restored from the back/forward cache reloads from the server, so the
//   next person never sees the previous person's answers;
// - focus moves to the new question on each screen (screen readers announce it);
// - the inactivity warning, then the reset for the next person;
// - the print button of the printable sheet.
(function () {
  "use strict";

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[data-focus]");
    if (target) { target.focus({ preventScroll: false }); }

    var print = document.querySelector("[data-print]");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
    setupIdle(document.body);
  });

  function setupIdle(body) {
    var idle = parseInt(body.dataset.idle || "", 10);
    var warning = parseInt(body.dataset.warning || "", 10);
    var dialog = document.getElementById("idle-dialog");
    if (!idle || !dialog || typeof dialog.showModal !== "function") { return; }
    var countdown = dialog.querySelector("[data-countdown]");
    var idleTimer = null, tick = null, remaining = 0;

    function reset() {
      window.location.assign(body.dataset.timeoutUrl);
    }
    function showWarning() {
      remaining = warning;
      countdown.textContent = String(remaining);
      dialog.showModal();
      tick = window.setInterval(function () {
        remaining -= 1;
        if (remaining <= 0) { window.clearInterval(tick); reset(); return; }
        // Announce only every 10 seconds: a screen reader reading every second is noise.
        if (remaining % 10 === 0 || remaining <= 5) { countdown.textContent = String(remaining); }
      }, 1000);
    }
    function activity() {
      if (dialog.open) { return; }
      window.clearTimeout(idleTimer);
      idleTimer = window.setTimeout(showWarning, idle * 1000);
    }
    dialog.querySelector("[data-stay]").addEventListener("click", function () {
      window.clearInterval(tick);
      dialog.close();
      activity();
    });
    dialog.addEventListener("cancel", function (event) {
      // Escape means "I am here": close the warning and keep going.
      event.preventDefault();
      window.clearInterval(tick);
      dialog.close();
      activity();
    });
    ["pointerdown", "keydown", "touchstart", "input", "scroll"].forEach(function (name) {
      window.addEventListener(name, activity, { passive: true });
    });
    activity();
  }
})();

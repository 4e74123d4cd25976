// Progressive enhancement only: every page works without this file.
// - a page restored from the back/forward cache reloads from the server, so the
//   next person never sees the previous person's answers;
// - focus moves to the new question on each screen (screen readers announce it);
// - the inactivity warning, then the reset for the next person;
// - the print button of the printable sheet;
// - a form sent once is not sent again by a second tap while the next page loads
//   (without JavaScript, the server treats that second sending as harmless);
// - each read-aloud player becomes one large "listen" button (one clip at a time).
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
    setupListen();
    setupSendOnce();
    setupIdle(document.body);
  });

  var SPEAKER = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
    '<path d="M3 9v6h4l5 4V5L7 9H3zm13.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4z' +
    'M14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z"/></svg>';

  function setupListen() {
    var playing = null;
    Array.prototype.forEach.call(document.querySelectorAll("audio.listen"), function (audio) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "listen-button";
      button.setAttribute("aria-label", audio.getAttribute("aria-label"));
      button.setAttribute("aria-pressed", "false");
      button.innerHTML = SPEAKER;
      audio.removeAttribute("controls");
      audio.hidden = true;
      audio.parentNode.insertBefore(button, audio);
      function stopped() { button.setAttribute("aria-pressed", "false"); }
      audio.addEventListener("ended", stopped);
      audio.addEventListener("pause", stopped);
      button.addEventListener("click", function () {
        if (playing && playing !== audio) { playing.pause(); playing.currentTime = 0; }
        if (audio.paused) {
          playing = audio;
          button.setAttribute("aria-pressed", "true");
          audio.play().catch(stopped);
        } else {
          audio.pause();
          audio.currentTime = 0;
        }
      });
    });
  }

  function setupSendOnce() {
    Array.prototype.forEach.call(document.querySelectorAll('form[method="post"]'), function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
        // aria-disabled, not disabled: the button keeps the focus and a screen reader
        // says it is unavailable; a disabled submitter would also drop its own value.
        Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) {
          if (b.type === "submit") { b.setAttribute("aria-disabled", "true"); }
        });
      });
    });
  }

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

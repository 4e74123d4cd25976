// Progressive enhancement only: every page works without this file.
// - a page restored from the back/forward cache reloads from the server, so the
//   next person never sees the previous person's answers;
// - focus moves to the new question on each screen (screen readers announce it);
// - the inactivity warning (a countdown, a chime and its words read aloud), then the
//   reset for the next person;
// - the print button of the printable sheet;
// - a form sent once is not sent again by a second tap while the next page loads
//   (without JavaScript, the server treats that second sending as harmless);
// - each read-aloud player becomes one large "listen" button (one clip at a time);
// - the commune screen's keypad appears and types the postal code into the text field
//   (kiosks have no keyboard; without JavaScript the field alone still works).
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
    setupKeypads();
    setupIdle(document.body);
  });

  // Digits go into the field the keypad names (5 at most, or its data-keypad-max); a field
  // holding a name is emptied by the first digit. The status line repeats what the field
  // holds, spaced out so that a screen reader reads it digit by digit.
  function setupKeypads() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-keypad]"), function (keypad) {
      var field = document.getElementById(keypad.dataset.keypad);
      var said = keypad.querySelector("[data-keypad-said]");
      if (!field) { return; }
      keypad.hidden = false;
      function show(value) {
        field.value = value;
        if (said) { said.textContent = value.split("").join(" "); }
      }
      keypad.addEventListener("click", function (event) {
        var key = event.target.closest("button");
        if (!key || key.type !== "button") { return; }
        var code = /^[0-9]*$/.test(field.value) ? field.value : "";
        if (key.hasAttribute("data-erase")) {
          show(code.slice(0, -1));
        } else if (key.dataset.digit && code.length < (+keypad.dataset.keypadMax || 5)) {
          show(code + key.dataset.digit);
        }
      });
    });
  }

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

  // A short two-note chime, made by the browser (no sound file): it calls back a person
  // who stepped away from the screen. Resolves when it is over, or at once without Web
  // Audio; a browser that refuses sound before a touch just stays silent.
  function chime() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return Promise.resolve(); }
    var context;
    try { context = new Context(); } catch (error) { return Promise.resolve(); }
    var start = context.currentTime + 0.05;
    [660, 880].forEach(function (frequency, index) {
      var at = start + index * 0.25;
      var tone = context.createOscillator(), volume = context.createGain();
      tone.type = "sine";
      tone.frequency.value = frequency;
      volume.gain.setValueAtTime(0.0001, at);
      volume.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
      volume.gain.exponentialRampToValueAtTime(0.0001, at + 0.22);
      tone.connect(volume);
      volume.connect(context.destination);
      tone.start(at);
      tone.stop(at + 0.25);
    });
    return new Promise(function (resolve) {
      window.setTimeout(function () { context.close(); resolve(); }, 700);
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
    // The countdown's words for the moments it changes (every ten seconds and the last
    // five): a screen reader reading every second is noise.
    var texts = JSON.parse(countdown.dataset.texts || "{}");
    var voice = Array.prototype.slice.call(dialog.querySelectorAll("audio[data-idle-voice]"));
    var sound = body.hasAttribute("data-idle-sound");
    var idleTimer = null, tick = null, remaining = 0;

    function reset() {
      window.location.assign(body.dataset.timeoutUrl);
    }
    // The title, then the sentence, each from its read-aloud clip, while the warning is open.
    function speak(index) {
      var clip = voice[index];
      if (!clip || !dialog.open) { return; }
      clip.onended = function () { speak(index + 1); };
      clip.currentTime = 0;
      clip.play().catch(function () {});
    }
    function silence() {
      voice.forEach(function (clip) { clip.onended = null; clip.pause(); });
    }
    function showWarning() {
      remaining = warning;
      if (texts[remaining]) { countdown.textContent = texts[remaining]; }
      dialog.showModal();
      if (sound) { chime().then(function () { speak(0); }); }
      tick = window.setInterval(function () {
        remaining -= 1;
        if (remaining <= 0) { window.clearInterval(tick); reset(); return; }
        if (texts[remaining]) { countdown.textContent = texts[remaining]; }
      }, 1000);
    }
    function activity() {
      if (dialog.open) { return; }
      window.clearTimeout(idleTimer);
      idleTimer = window.setTimeout(showWarning, idle * 1000);
    }
    function stay() {
      window.clearInterval(tick);
      silence();
      dialog.close();
      // Tell the server too: it ends a visit silent for longer than the page's delay,
      // and "I am here" is a sign of life it would not otherwise see.
      window.fetch(window.location.href, { method: "HEAD", cache: "no-store",
                                           credentials: "same-origin" }).catch(function () {});
      activity();
    }
    dialog.querySelector("[data-stay]").addEventListener("click", stay);
    dialog.addEventListener("cancel", function (event) {
      // Escape means "I am here": close the warning and keep going.
      event.preventDefault();
      stay();
    });
    ["pointerdown", "keydown", "touchstart", "input", "scroll"].forEach(function (name) {
      window.addEventListener(name, activity, { passive: true });
    });
    activity();
  }
})();

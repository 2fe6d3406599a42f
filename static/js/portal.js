// Behaviour shared by every page. Loaded as a file: the CSP allows no inline script.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function duration(seconds) {
    if (seconds >= 90) return plural(Math.round(seconds / 60), "minute");
    return plural(Math.max(0, Math.round(seconds)), "second");
  }

  // --- Error summary (templates/partials/error_summary.html) -------------------------------
  // Focus moves to the summary so a screen reader reads it first; each link moves focus to
  // its field and shows the field's label above it (the GOV.UK pattern).
  function armErrorSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (!summary || summary.dataset.armed) return;
    summary.dataset.armed = "1";
    summary.focus();
    summary.addEventListener("click", function (e) {
      var link = e.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field && link.dataset.field) {
        // A template that draws a field with ids of its own: its first visible input.
        field = document.querySelector(
          "[name='" + link.dataset.field + "']:not([type='hidden'])"
        );
      }
      if (!field) return;
      e.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
      (legend || label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  // --- Revealed secrets: hidden again after a while, with a warning and a way to keep them --
  // <div data-auto-hide="60" data-hidden-text="..."> holds the secret; a [data-auto-hide-panel]
  // beside it (hidden until this script runs) has the countdown, the live region and the
  // buttons. WCAG 2.2.1: the person is warned 20 seconds before and can extend with one press.
  var WARN_BEFORE = 20;

  function armAutoHide(root) {
    root.querySelectorAll("[data-auto-hide]").forEach(function (el) {
      if (el.dataset.armed) return;
      el.dataset.armed = "1";
      var seconds = parseInt(el.dataset.autoHide, 10) || 60;
      var panel = el.id ? document.querySelector("[data-auto-hide-panel='" + el.id + "']") : null;
      // Counted from a deadline, not by ticks: a background tab's timers are slowed down.
      var deadline = Date.now() + seconds * 1000;
      var warned = false;
      var timer = null;
      var countdown = panel && panel.querySelector("[data-countdown]");
      var live = panel && panel.querySelector("[data-live]");
      var keep = panel && panel.querySelector("[data-keep]");
      var hideNow = panel && panel.querySelector("[data-hide-now]");

      function left() {
        return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      }
      function say(text) {
        if (live) live.textContent = text;
      }
      function show() {
        if (countdown) countdown.textContent = duration(left());
      }
      function hide() {
        clearInterval(timer);
        el.textContent = el.dataset.hiddenText || "Hidden again.";
        if (panel) {
          if (keep) keep.hidden = true;
          if (hideNow) hideNow.hidden = true;
          if (countdown) countdown.parentElement.hidden = true;
        }
        say(el.dataset.hiddenText || "Hidden again.");
      }
      function tick() {
        show();
        if (left() <= 0) {
          hide();
        } else if (left() <= WARN_BEFORE && !warned) {
          warned = true;
          say("The login details will be hidden in " + duration(left()) + ". Choose \u201cKeep showing\u201d to keep them on screen.");
        }
      }
      if (panel) {
        panel.hidden = false;
        show();
        say("The login details are shown for " + duration(seconds) + ".");
        if (keep) {
          keep.addEventListener("click", function () {
            deadline = Date.now() + seconds * 1000;
            warned = false;
            show();
            say("The login details are shown for " + duration(seconds) + " more.");
          });
        }
        if (hideNow) hideNow.addEventListener("click", hide);
      }
      timer = setInterval(tick, 500);
    });
  }

  // --- Session time-out warning (accounts.middleware.SessionLifetimeMiddleware) ------------
  // The server signs a person out after a time without a request. <dialog data-session-timeout>
  // in base.html says how long is left when the page was drawn; two minutes before the end it
  // opens, and "Stay signed in" posts to accounts:session_extend, which counts as activity.
  // Nothing here refreshes the session by itself: an idle session must still end.
  function armSessionTimeout() {
    var dialog = document.querySelector("dialog[data-session-timeout]");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var warnBefore = parseInt(dialog.dataset.warnSeconds, 10) || 120;
    var deadline = 0;
    var extendable = true;
    var warnTimer = null;
    var endTimer = null;
    var tickTimer = null;
    var leftTexts = dialog.querySelectorAll("[data-time-left]");
    var stay = dialog.querySelector("[data-stay]");
    var message = dialog.querySelector("[data-message]");
    var ended = dialog.querySelector("[data-ended]");
    var live = dialog.querySelector("[data-live]");

    function secondsLeft() {
      return Math.max(0, Math.round((deadline - Date.now()) / 1000));
    }
    function showLeft() {
      leftTexts.forEach(function (el) { el.textContent = duration(secondsLeft()); });
    }
    function schedule(expiresIn, idleLimited) {
      deadline = Date.now() + expiresIn * 1000;
      extendable = idleLimited;
      clearTimeout(warnTimer);
      clearTimeout(endTimer);
      warnTimer = setTimeout(warn, Math.max(0, (expiresIn - warnBefore) * 1000));
      endTimer = setTimeout(end, expiresIn * 1000);
    }
    function warn() {
      showLeft();
      if (stay) stay.hidden = !extendable;
      dialog.querySelectorAll("[data-when-extendable]").forEach(function (el) {
        el.hidden = !extendable;
      });
      dialog.querySelectorAll("[data-when-final]").forEach(function (el) {
        el.hidden = extendable;
      });
      if (!dialog.open) dialog.showModal();
      clearInterval(tickTimer);
      tickTimer = setInterval(function () {
        // Only the visible text changes each second; the dialog was announced when it opened.
        showLeft();
      }, 1000);
    }
    function end() {
      clearInterval(tickTimer);
      if (message) message.hidden = true;
      if (stay) stay.hidden = true;
      if (ended) ended.hidden = false;
      if (live) live.textContent = ended ? ended.textContent.trim() : "";
      if (!dialog.open) dialog.showModal();
    }
    if (stay) {
      stay.addEventListener("click", function () {
        var csrf = document.querySelector("meta[name='csrf-token']");
        fetch(dialog.dataset.extendUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrf ? csrf.content : "", Accept: "application/json" },
        })
          .then(function (response) {
            var type = response.headers.get("Content-Type") || "";
            if (!response.ok || type.indexOf("application/json") === -1) throw new Error("signed out");
            return response.json();
          })
          .then(function (data) {
            clearInterval(tickTimer);
            dialog.close();
            schedule(data.expires_in, data.extendable);
          })
          .catch(end);
      });
    }
    // Any request the person makes (a page, an htmx action) counts as activity on the server.
    document.body.addEventListener("htmx:afterRequest", function (e) {
      var xhr = e.detail && e.detail.xhr;
      var left = xhr && parseInt(xhr.getResponseHeader("X-Session-Expires-In"), 10);
      if (left > 0) schedule(left, xhr.getResponseHeader("X-Session-Extendable") !== "0");
    });
    schedule(
      parseInt(dialog.dataset.expiresIn, 10) || 1800,
      dialog.dataset.extendable !== "0"
    );
  }

  // --- Tables scroll sideways in their own box on narrow screens; the box can take focus so that
  // keyboard users can scroll it, but only when it really scrolls.
  function armScrollBoxes(root) {
    root.querySelectorAll("[data-scroll-box]").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls) {
        box.setAttribute("tabindex", "0");
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }

  // --- Progress polled by htmx (the MIS import): said in a live region that stays put -------
  // The polled fragment carries data-announce (what to say) and data-announce-step (a tenth
  // of the way, or the status): the live region changes only when the step does.
  var lastStep = null;
  function announceProgress() {
    var live = document.getElementById("import-progress-live");
    var source = document.querySelector("[data-announce-step]");
    if (!live || !source) return;
    var step = source.dataset.announceStep;
    if (lastStep === null) {
      lastStep = step;  // the page itself says where it started
      return;
    }
    if (step !== lastStep) {
      lastStep = step;
      live.textContent = source.dataset.announce;
    }
  }

  ready(function () {
    announceProgress();
    document.body.addEventListener("htmx:afterSettle", announceProgress);
    armErrorSummary(document);
    armAutoHide(document);
    armSessionTimeout();
    armScrollBoxes(document);
    window.addEventListener("resize", function () { armScrollBoxes(document); });
    document.body.addEventListener("htmx:afterSwap", function (e) {
      armAutoHide(e.target);
      armErrorSummary(e.target);
      armScrollBoxes(e.target);
    });
  });
})();

// Print buttons (consent class lists, board packs): no inline onclick under the CSP.
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest("[data-print]");
  if (button) { window.print(); }
});

// Page switch: Tiếng Việt / English / Song ngữ, remembered between visits (localStorage).
// Without JavaScript each block's <details> still offers its English original.
(function () {
  "use strict";
  var KEY = "d2lvi-mode";
  var MODES = [["vi", "Tiếng Việt", "vi"], ["en", "English", "en"], ["both", "Song ngữ", "vi"]];

  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function apply(mode) {
    var root = document.documentElement;
    MODES.forEach(function (m) { root.classList.toggle("d2lvi-mode-" + m[0], m[0] === mode); });
    document.querySelectorAll("details.d2lvi-en").forEach(function (d) {
      if (mode === "vi") {
        if (d.dataset.d2lviForced) { d.open = false; delete d.dataset.d2lviForced; }
      } else if (!d.open) {
        d.open = true; d.dataset.d2lviForced = "1";
      }
    });
    document.querySelectorAll(".d2lvi-switch button").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.mode === mode));
    });
  }

  function choose(mode) {
    try { localStorage.setItem(KEY, mode); } catch (e) { /* private mode: not remembered */ }
    apply(mode);
  }

  function build() {
    if (!document.querySelector(".d2lvi-pair, .d2lvi-en")) { return; }
    var bar = document.createElement("div");
    bar.className = "d2lvi-switch";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Ngôn ngữ hiển thị");
    var label = document.createElement("span");
    label.className = "d2lvi-switch-label";
    label.textContent = "Hiển thị:";
    bar.appendChild(label);
    MODES.forEach(function (m) {
      var b = document.createElement("button");
      b.type = "button";
      b.dataset.mode = m[0];
      b.lang = m[2];
      b.textContent = m[1];
      b.addEventListener("click", function () { choose(m[0]); });
      bar.appendChild(b);
    });
    // The article itself, not <main> (which also holds the theme's top bar); a selector list
    // would return whichever comes first in the document.
    var article = document.querySelector("article.bd-article") ||
      document.querySelector("[role=main], main") || document.body;
    article.insertBefore(bar, article.firstChild);
    var mode = stored();
    apply(MODES.some(function (m) { return m[0] === mode; }) ? mode : "vi");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", build);
  } else {
    build();
  }
})();

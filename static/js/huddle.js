/* Huddle's small enhancements on top of plain forms and htmx. */
(function () {
  "use strict";
  document.documentElement.classList.add("js"); // plain-form fallbacks can hide themselves

  function showMessage(text, level) {
    var box = document.getElementById("messages");
    if (!box) return;
    var div = document.createElement("div");
    div.className = "message " + (level || "error");
    div.setAttribute("role", "alert");
    div.textContent = text;
    box.appendChild(div);
  }

  // htmx 2 swaps no 4xx/5xx response: say clearly what happened instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var text = {
      403: "You may see this but not change it.",
      404: "That record is gone or not yours to see.",
    }[status] || "Something went wrong (" + status + "). Nothing was saved; please try again.";
    showMessage(text, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    showMessage("Huddle could not be reached. Check the connection and try again.", "error");
  });

  // Confirmations fade after a while; one that offers Undo stays a little longer.
  function expire(root) {
    (root || document).querySelectorAll("#messages .message:not([data-expires])").forEach(function (m) {
      m.dataset.expires = "1";
      setTimeout(function () { m.remove(); }, m.querySelector("form") ? 12000 : 6000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { expire(); });
  document.addEventListener("htmx:oobAfterSwap", function () { expire(); });

  // "/" jumps to global search from anywhere but a text field; Esc closes the results.
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    var typing = tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable;
    var search = document.getElementById("global-search");
    if (event.key === "/" && !typing && search) {
      event.preventDefault();
      search.focus();
    } else if (event.key === "Escape" && event.target === search) {
      document.getElementById("search-dropdown").innerHTML = "";
      search.blur();
    }
  });
})();

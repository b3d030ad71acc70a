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

  // Behaviour that would otherwise sit in inline handlers or htmx filter expressions, which the
  // Content-Security-Policy (no inline script, no eval) would block.

  // Enter on an inline field's value opens its editor, as a click does. On keydown, as a button
  // does: the keyup of the Enter that saved an edit must not reopen the value focused meanwhile.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key === "Enter" && field.matches && field.matches(".inline-field[hx-get]")) {
      event.preventDefault();
      field.click();
    } else if (event.key === "Escape" && field.closest) {
      // Esc in an open inline editor puts the value back, as it was saved.
      var form = field.closest("form.inline-field.editing");
      if (form) htmx.ajax("GET", form.getAttribute("action"), { target: form, swap: "outerHTML" });
    }
  });

  // An inline field swapped in where the focus was (its editor after Enter or a click, its value
  // after Save or Esc) takes the focus, so the keyboard carries on where it was; an editor's
  // value is selected, as when renaming a file.
  document.addEventListener("htmx:load", function (event) {
    var elt = event.target;
    if (!elt.matches || !elt.matches(".inline-field")) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    var target = elt.matches("form")
      ? elt.querySelector("input:not([type=hidden]), select, textarea, button")
      : elt;
    if (!target) return;
    target.focus();
    if (target.select && target !== elt) target.select(); // typing replaces, arrows keep it
  });

  // A select marked data-autosubmit sends its form when changed (the board's pipeline choice).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.requestSubmit();
    }
  });

  // Signed out (the login page): forget the page snapshots htmx keeps for the back button.
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-signed-out]")) sessionStorage.removeItem("htmx-history-cache");
  });

  // A "back" link (Cancel on a form) goes back in history when there is some, else follows href.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

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

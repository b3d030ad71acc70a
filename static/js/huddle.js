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

  // htmx 2 swaps no 4xx/5xx response: say clearly what happened instead of doing nothing, in
  // place — beside (or inside, for a form) the element that asked — so the page stays as it was
  // and the message sits where the user is looking. An element no longer on the page, or the
  // page itself, gets the message at the top.
  function showInPlace(elt, text) {
    if (!elt || !elt.isConnected || elt === document.body || elt === document.documentElement) {
      return showMessage(text, "error");
    }
    clearInPlace(elt);
    var note = document.createElement("span");
    note.className = "field-errors request-error";
    note.setAttribute("role", "alert");
    note.textContent = text;
    if (elt.matches("form")) elt.appendChild(note);
    else elt.insertAdjacentElement("afterend", note);
  }

  function clearInPlace(elt) {
    var old = elt.matches("form") ? elt.querySelector(":scope > .request-error") : elt.nextElementSibling;
    if (old && old.matches(".request-error")) old.remove();
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var text = {
      400: "That was not understood; please check the value and try again.",
      403: "You may see this but not change it.",
      404: "That record is gone or not yours to see.",
      409: "Someone changed this meanwhile; reload to see their version.",
    }[status] || "Something went wrong (" + status + "). Nothing was saved; please try again.";
    var type = event.detail.xhr.getResponseHeader("Content-Type") || "";
    var said = (event.detail.xhr.responseText || "").trim();
    if (status < 500 && type.indexOf("text/plain") === 0 && said && said.length < 300) text = said;
    showInPlace(event.detail.elt, text);
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.matches) clearInPlace(event.detail.elt);
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

  // Inline fields (crm/inline.py). A click or Enter on a value opens its editor with the focus in
  // it and the text selected; Enter saves, Esc puts the value back, Tab (Shift+Tab) saves and
  // opens the next (previous) editable value on the page. `focusNext` names the inline field that
  // gets the focus when it is swapped in; `openNext` the value to open once the save is back.
  var focusNext = null;
  var openNext = null;

  // The values a Tab moves between: shown values, and editors already open (a fix list's).
  var EDITABLE = ".inline-field[hx-get], form.inline-field.editing";

  function editableValues() {
    return Array.prototype.slice.call(document.querySelectorAll(EDITABLE));
  }

  function focusEditor(form) {
    var input = form.querySelector("input:not([type=hidden]), select, textarea, button");
    if (!input) return;
    input.focus();
    if (input.select) input.select(); // typing replaces, arrows keep it
  }

  function neighbour(form, backwards) {
    var values = editableValues();
    var wanted = backwards ? Node.DOCUMENT_POSITION_PRECEDING : Node.DOCUMENT_POSITION_FOLLOWING;
    if (backwards) values.reverse();
    for (var i = 0; i < values.length; i++) {
      if (form.compareDocumentPosition(values[i]) & wanted) return values[i];
    }
    return null;
  }

  function open(value) {
    if (value.matches("form")) return focusEditor(value);
    focusNext = value.id;
    value.click();
  }

  // A click on a value opens it (htmx sends the request); its editor takes the focus. So does
  // the value a conflict's "Use mine" or "Keep theirs" comes back with.
  document.addEventListener("click", function (event) {
    var value = event.target.closest && event.target.closest(".inline-field[hx-get], form.inline-field.conflict");
    if (value) focusNext = value.id;
  }, true);

  // Enter on an inline field's value opens its editor, as a click does. On keydown, as a button
  // does: the keyup of the Enter that saved an edit must not reopen the value focused meanwhile.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (!field.closest) return;
    var form = field.closest("form.inline-field.editing");
    if (event.key === "Enter" && field.matches(".inline-field[hx-get]")) {
      event.preventDefault();
      open(field);
    } else if (event.key === "Escape" && form) {
      // Esc in an open inline editor puts the value back, as it was saved.
      event.preventDefault();
      focusNext = form.id;
      openNext = null;
      htmx.ajax("GET", form.getAttribute("action"), { target: form, swap: "outerHTML" });
    } else if (event.key === "Tab" && form && field.matches("input, select, textarea")) {
      // Tab saves and moves on to the next value, opening it; without one, the saved value
      // keeps the focus.
      event.preventDefault();
      var next = neighbour(form, event.shiftKey);
      openNext = next ? next.id : null;
      focusNext = next ? null : form.id;
      form.requestSubmit(); // as Enter would: the browser checks the value first
    } else if (event.key === "Enter" && form) {
      openNext = null;
      focusNext = form.id; // the saved value (or the editor with its error) takes the focus
    }
  });

  // An inline field swapped in takes the focus when it is the one the user is working on; an
  // editor's value is selected, as when renaming a file, so typing replaces it.
  document.addEventListener("htmx:load", function (event) {
    var elt = event.target;
    if (!elt.matches || !elt.matches(".inline-field")) return;
    var editing = elt.matches("form");
    if (!editing && elt.id && openNext) {
      // Saved after a Tab: open the next value (if it is still on the page).
      var next = document.getElementById(openNext);
      openNext = null;
      if (next && next.matches(EDITABLE)) {
        open(next);
        return;
      }
      focusNext = elt.id;
    }
    if (editing) openNext = null; // the save did not go through: stay on the error
    var wanted = elt.id && elt.id === focusNext;
    var idle = !document.activeElement || document.activeElement === document.body;
    if (!wanted && !idle) return;
    if (!wanted && !editing) return; // a page's values never take the focus by themselves
    focusNext = null;
    if (editing) focusEditor(elt);
    else elt.focus();
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

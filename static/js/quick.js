/* Quick add ("n" or "+ Add") and the command palette (Ctrl+K), on top of plain pages.

   Without JavaScript "+ Add" is a link to a page of plain forms and the palette is not there;
   the top bar's search and its "/" shortcut (huddle.js) stay as they are. */
(function () {
  "use strict";

  function typing(target) {
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function anyDialogOpen() {
    return !!document.querySelector("dialog[open]");
  }

  // ---- quick add -------------------------------------------------------------------------------

  function quickDialog() {
    return document.getElementById("quick-add-dialog");
  }

  function openQuickAdd(url) {
    var dialog = quickDialog();
    if (!dialog || !window.htmx) return false;
    if (!url) {
      var button = document.querySelector("a[data-quick-add]");
      url = button && button.getAttribute("href");
    }
    dialog.dataset.opening = "1";
    htmx.ajax("GET", url, { target: dialog, swap: "innerHTML" });
    return true;
  }

  // The field to type into: the first one in error, else the one the form says the typing
  // starts at (the first not filled in: a prefilled "with whom" is skipped), else the first of
  // the form; after an add, "Add another". Hidden ones (a picker's own <select>) are skipped.
  function focusQuickForm(dialog) {
    var field =
      dialog.querySelector(".has-error input:not([hidden]), .has-error select:not([hidden])") ||
      dialog.querySelector(".quick-add-form [autofocus]:not([hidden])") ||
      dialog.querySelector(".quick-add-form input:not([type=hidden]):not([hidden]), .quick-add-form select:not([hidden])") ||
      dialog.querySelector("[autofocus]");
    if (field) field.focus();
  }

  // After the settle, not the swap: htmx wires the new form's own triggers (the duplicate check)
  // and applies [autofocus] in its settle step, so a field focused earlier could be typed into
  // before the check listens, and lose the focus to [autofocus] halfway through a name.
  document.addEventListener("htmx:afterSettle", function (event) {
    var dialog = quickDialog();
    if (!dialog || event.target !== dialog) return;
    if (!dialog.open) {
      // Closed since (Esc while an add was answered): it stays closed unless this opens it.
      if (!dialog.dataset.opening) return;
      dialog.showModal();
    }
    delete dialog.dataset.opening;
    focusQuickForm(dialog);
  });

  // "+ Add", the palette's "New contact"…: the dialog instead of the page, unless opened elsewhere.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-quick-add]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    var palette = document.getElementById("palette");
    if (palette && palette.open) palette.close();
    if (openQuickAdd(link.getAttribute("href"))) event.preventDefault();
  });

  // Enter adds from any field of the short form, a picker included (a <select> ignores Enter).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName !== "SELECT") return;
    var form = event.target.closest(".quick-add-form");
    if (!form) return;
    event.preventDefault();
    form.requestSubmit();
  });

  // ---- command palette ------------------------------------------------------------------------

  var pendingEnter = false;

  function paletteParts() {
    var dialog = document.getElementById("palette");
    return dialog && {
      dialog: dialog,
      input: document.getElementById("palette-input"),
      results: document.getElementById("palette-results"),
    };
  }

  function options(parts) {
    return Array.prototype.slice.call(parts.results.querySelectorAll("[role=option]"));
  }

  function select(parts, index) {
    var all = options(parts);
    if (!all.length) {
      parts.input.removeAttribute("aria-activedescendant");
      return;
    }
    index = (index + all.length) % all.length;
    all.forEach(function (option, i) {
      option.id = "palette-option-" + i;
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    parts.input.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }

  function selectedIndex(parts) {
    return options(parts).findIndex(function (o) {
      return o.getAttribute("aria-selected") === "true";
    });
  }

  // The results on screen answer what is typed (not an earlier prefix of it).
  function current(parts) {
    return parts.results.dataset.query === parts.input.value.trim().slice(0, 100);
  }

  function openSelected(parts) {
    var option = options(parts)[selectedIndex(parts)];
    var link = option && option.querySelector("a");
    if (!link) return;
    if (link.hasAttribute("data-quick-add")) {
      parts.dialog.close();
      openQuickAdd(link.getAttribute("href"));
    } else {
      window.location.href = link.href;
    }
  }

  function openPalette() {
    var parts = paletteParts();
    if (!parts) return;
    if (!parts.dialog.open) parts.dialog.showModal();
    parts.input.focus();
    parts.input.select();
    if (!current(parts)) htmx.trigger(parts.input, "paletteRefresh");
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var parts = paletteParts();
    if (!parts || event.detail.target.id !== "palette-results") return;
    parts.results = document.getElementById("palette-results");
    select(parts, 0);
    if (pendingEnter && current(parts)) {
      pendingEnter = false;
      openSelected(parts);
    }
  });

  document.addEventListener("keydown", function (event) {
    var parts = paletteParts();
    if (!parts || event.target !== parts.input) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      select(parts, selectedIndex(parts) + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault(); // never the plain form's submit: open what is chosen
      if (current(parts)) {
        openSelected(parts);
      } else {
        pendingEnter = true; // typed faster than the answer: open once it is here
        htmx.trigger(parts.input, "paletteRefresh");
      }
    }
  });

  document.addEventListener("input", function (event) {
    var parts = paletteParts();
    if (parts && event.target === parts.input) pendingEnter = false;
  });

  document.addEventListener("mousemove", function (event) {
    var option = event.target.closest && event.target.closest("#palette-results [role=option]");
    var parts = option && paletteParts();
    if (parts) select(parts, options(parts).indexOf(option));
  });

  // ---- shortcuts ------------------------------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
      var quick = quickDialog();
      if (quick && quick.open) quick.close();
      event.preventDefault();
      openPalette();
      return;
    }
    if (event.key !== "n" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || anyDialogOpen()) return;
    if (openQuickAdd()) event.preventDefault();
  });
})();

/* Pickers (crm/pickers.py): a type-ahead instead of a <select> listing thousands.

   Without JavaScript the picker is its <select> (the chosen record and the user's own recent
   few). With it, the select hides and its text input shows: typing asks the picker endpoint for
   matches; ↓/↑ choose, Enter or Tab (or a click) picks, Esc closes the list. The picked record
   becomes the select's chosen option, so the form posts exactly what it would without script. */
(function () {
  "use strict";

  var DELAY = 120;

  function parts(picker) {
    return {
      picker: picker,
      input: picker.querySelector(".picker-input"),
      select: picker.querySelector("select"),
      list: picker.querySelector(".picker-options"),
      chips: picker.querySelector(".picker-chips"), // several records (crm.pickers.MultiPicker)
    };
  }

  function enhance(root) {
    var pickers = (root || document).querySelectorAll(".picker[data-picker-url]");
    Array.prototype.forEach.call(pickers, function (picker) {
      if (picker.dataset.enhanced) return;
      var p = parts(picker);
      if (!p.input || !p.select || !p.list) return;
      picker.dataset.enhanced = "true";
      // The label (for=the select's id) now names the input a person types into.
      var id = p.select.id;
      p.select.id = id + "-select";
      p.input.id = id;
      if (p.select.hasAttribute("autofocus")) {
        p.select.removeAttribute("autofocus");
        p.input.setAttribute("autofocus", "");
      }
      if (p.select.getAttribute("aria-describedby")) {
        p.input.setAttribute("aria-describedby", p.select.getAttribute("aria-describedby"));
      }
      p.select.hidden = true;
      p.select.tabIndex = -1;
      p.input.hidden = false;
      p.input.dataset.picked = p.input.value;
    });
  }

  function options(p) {
    return Array.prototype.slice.call(p.list.querySelectorAll("[role=option]"));
  }

  function selectedIndex(p) {
    return options(p).findIndex(function (o) {
      return o.getAttribute("aria-selected") === "true";
    });
  }

  function highlight(p, index) {
    var all = options(p);
    if (!all.length) {
      p.input.removeAttribute("aria-activedescendant");
      return;
    }
    index = (index + all.length) % all.length;
    all.forEach(function (option, i) {
      option.id = p.list.id + "-" + i;
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    p.input.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }

  function open(p) {
    p.list.hidden = false;
    p.input.setAttribute("aria-expanded", "true");
  }

  function close(p) {
    p.list.hidden = true;
    p.input.setAttribute("aria-expanded", "false");
    p.input.removeAttribute("aria-activedescendant");
  }

  function isOpen(p) {
    return !p.list.hidden;
  }

  // The answer on screen is for what is typed now (not an earlier prefix of it).
  function current(p) {
    return p.list.dataset.query === p.input.value.trim();
  }

  function addChip(p, value, label) {
    if (p.chips.querySelector('[data-value="' + CSS.escape(value) + '"]')) return;
    var chip = document.createElement("li");
    chip.className = "chip";
    chip.dataset.value = value;
    chip.appendChild(document.createTextNode(label + " "));
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.setAttribute("aria-label", "Remove " + label);
    remove.textContent = "×";
    chip.appendChild(remove);
    p.chips.appendChild(chip);
  }

  // One more of several: the option is selected, a chip shows it, the input is free again.
  function chooseAnother(p, value, label) {
    var option = Array.prototype.find.call(p.select.options, function (o) {
      return o.value === value;
    });
    if (!option) {
      option = new Option(label, value);
      p.select.add(option);
    }
    option.selected = true;
    addChip(p, value, label);
    p.input.value = "";
    close(p);
    p.select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function choose(p, value, label) {
    if (p.chips) return chooseAnother(p, value, label);
    var option = Array.prototype.find.call(p.select.options, function (o) {
      return o.value === value;
    });
    if (!option) {
      option = new Option(label, value);
      p.select.add(option);
    }
    p.select.value = value;
    p.input.value = label;
    p.input.dataset.picked = label;
    close(p);
    p.select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function clear(p) {
    if (p.chips) return; // typing to add one more leaves the chosen ones chosen
    var changed = p.select.value !== "";
    var empty = Array.prototype.find.call(p.select.options, function (o) {
      return o.value === "";
    });
    if (!empty) {
      empty = new Option("", "");
      p.select.add(empty, 0);
    }
    p.select.value = "";
    // A filter form refreshes on change: clearing the picker clears its filter.
    if (changed) p.select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function pickSelected(p) {
    var option = options(p)[selectedIndex(p)];
    if (!option) return false;
    choose(p, option.dataset.value, option.dataset.label);
    return true;
  }

  function ask(p) {
    var q = p.input.value.trim();
    var url = p.picker.dataset.pickerUrl + "&q=" + encodeURIComponent(q);
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        if (p.input.value.trim() !== q) return; // typed on: a newer answer is coming
        p.list.innerHTML = html;
        p.list.dataset.query = q;
        highlight(p, 0);
        var pending = p.input.dataset.pending;
        delete p.input.dataset.pending;
        if (pending) {
          if (pickSelected(p) && pending === "enter" && !p.chips) moveOn(p);
          return;
        }
        if (document.activeElement === p.input) open(p);
      })
      .catch(function () {
        p.list.innerHTML = '<li class="picker-none" aria-disabled="true">Could not search just now. Try again.</li>';
        delete p.list.dataset.query;
        open(p);
      });
  }

  // After Enter on a match: on to the form's next field, as Tab would.
  function moveOn(p) {
    var form = p.input.form;
    if (!form) return;
    var fields = Array.prototype.filter.call(form.elements, function (el) {
      return !el.hidden && !el.disabled && el.type !== "hidden" && el.tabIndex >= 0 && el.offsetParent !== null;
    });
    var next = fields[fields.indexOf(p.input) + 1];
    if (next) next.focus();
  }

  var timers = new WeakMap();

  document.addEventListener("input", function (event) {
    var picker = event.target.closest && event.target.closest(".picker[data-enhanced]");
    if (!picker || !event.target.classList.contains("picker-input")) return;
    var p = parts(picker);
    if (p.input.value !== p.input.dataset.picked) clear(p);
    delete p.input.dataset.pending;
    clearTimeout(timers.get(p.input));
    if (!p.input.value.trim()) {
      close(p);
      return;
    }
    timers.set(p.input, setTimeout(function () { ask(p); }, DELAY));
  });

  document.addEventListener("keydown", function (event) {
    var picker = event.target.closest && event.target.closest(".picker[data-enhanced]");
    if (!picker || !event.target.classList.contains("picker-input")) return;
    var p = parts(picker);
    var typedUnpicked = p.input.value.trim() && p.input.value !== p.input.dataset.picked;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!isOpen(p) && p.input.value.trim()) ask(p);
      open(p);
      highlight(p, selectedIndex(p) + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      if (!typedUnpicked) return; // nothing to pick: Enter submits the form as usual
      event.preventDefault();
      if (current(p) && isOpen(p)) {
        // One record: on to the next field. Several: stay, to type the next one.
        if (pickSelected(p) && !p.chips) moveOn(p);
      } else {
        p.input.dataset.pending = "enter"; // typed faster than the answer: pick once it is here
      }
    } else if (event.key === "Tab" && !event.shiftKey) {
      if (!typedUnpicked) return;
      // Tab accepts the match and moves on (once it is here, if typed faster than the answer).
      if (current(p) && isOpen(p)) pickSelected(p);
      else p.input.dataset.pending = "tab";
    } else if (event.key === "Escape" && isOpen(p)) {
      event.preventDefault(); // close the list, not the dialog around it
      event.stopPropagation();
      close(p);
    }
  });

  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest(".picker-options")) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest(".picker-options [role=option]");
    if (!option) return;
    var p = parts(option.closest(".picker"));
    choose(p, option.dataset.value, option.dataset.label);
    if (p.chips) p.input.focus();
    else moveOn(p);
  });

  // A chip's × unchooses its record; focus goes back to the input to add another.
  document.addEventListener("click", function (event) {
    var remove = event.target.closest && event.target.closest(".picker-chips .chip-remove");
    if (!remove) return;
    var chip = remove.closest(".chip");
    var p = parts(chip.closest(".picker"));
    Array.prototype.forEach.call(p.select.options, function (o) {
      if (o.value === chip.dataset.value) o.selected = false;
    });
    chip.remove();
    p.input.focus();
    p.select.dispatchEvent(new Event("change", { bubbles: true }));
  });

  document.addEventListener("focusout", function (event) {
    var picker = event.target.closest && event.target.closest(".picker[data-enhanced]");
    if (!picker || !event.target.classList.contains("picker-input")) return;
    var p = parts(picker);
    setTimeout(function () {
      if (document.activeElement !== p.input) close(p);
    }, 0);
  });

  // Capture phase: new forms are enhanced before other afterSwap handlers (quick add's focus).
  document.addEventListener("htmx:afterSwap", function () { enhance(document); }, true);
  document.addEventListener("htmx:load", function () { enhance(document); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
})();

/* Meeting mode: page with the keyboard; on a rep's page, suggest that rep for the next action item. */
(function () {
  "use strict";

  var KEYS = { ArrowRight: "next", j: "next", ArrowLeft: "prev", k: "prev" };
  // htmx wires up swapped-in links only when the swap settles: a key pressed before that would
  // follow the bare link (a full page load). So one page turn at a time; a key pressed meanwhile
  // waits for it.
  var busy = false;
  var pending = null;

  function typing(target) {
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function turn(rel) {
    if (busy) {
      pending = rel;
      return;
    }
    var link = document.querySelector('#stage a[rel="' + rel + '"]');
    if (!link) return;
    busy = Boolean(window.htmx);
    link.click();
  }

  function settled() {
    busy = false;
    var next = pending;
    pending = null;
    if (next) turn(next);
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("stage") || document.querySelector("dialog[open]")) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (typing(event.target)) {
      // Esc leaves a field of the meeting, so the arrows page again.
      if (event.key === "Escape" && event.target.closest("#meeting")) event.target.blur();
      return;
    }
    var rel = KEYS[event.key];
    if (!rel) return;
    event.preventDefault();
    turn(rel);
  });

  function suggestAssignee() {
    var stage = document.getElementById("stage");
    var select = document.getElementById("item_assignee");
    if (!stage || !select || select.dataset.chosen) return;
    if (stage.dataset.assignee) select.value = stage.dataset.assignee;
  }

  document.addEventListener("change", function (event) {
    if (event.target.id === "item_assignee") event.target.dataset.chosen = "1";
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var swapped = event.detail.target || event.detail.elt;
    if (!swapped || swapped.id !== "stage") return;
    suggestAssignee();
    window.scrollTo({ top: 0 });
    settled();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) settled();  // an error answer swaps nothing
  });
})();

/* The agenda editor: reorder sections by dragging a row, or with its ↑ / ↓ buttons (keyboard);
   add any number of sections. Each move renumbers the formset's ORDER fields, which are what
   the plain form (without JavaScript) asks people to type. */
(function () {
  "use strict";

  function rows(body) { return Array.prototype.slice.call(body.querySelectorAll("tr.section-row")); }

  function chosen(row) {
    var report = row.querySelector("select[name$='-report_slug']");
    var id = row.querySelector("input[name$='-id']");
    return (report && report.value) || (id && id.value);
  }

  // Only rows in use get a number: a blank extra row with an order would count as filled in.
  function renumber(body) {
    var n = 0;
    rows(body).forEach(function (row) {
      var order = row.querySelector("input[name$='-ORDER']");
      if (order && chosen(row)) order.value = ++n;
    });
  }

  function enhance(form) {
    var body = form.querySelector("#agenda-sections");
    if (!body || body.dataset.enhanced) return;
    body.dataset.enhanced = "1";
    form.querySelectorAll(".move-buttons, .add-section").forEach(function (el) { el.hidden = false; });
    if (window.Sortable) {
      Sortable.create(body, {
        handle: ".drag-handle",
        draggable: "tr.section-row",
        animation: 120,
        onEnd: function () { renumber(body); },
      });
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#agenda-form [data-move]");
    if (button) {
      var row = button.closest("tr.section-row");
      var body = row.parentNode;
      if (button.dataset.move === "up" && row.previousElementSibling) {
        body.insertBefore(row, row.previousElementSibling);
      } else if (button.dataset.move === "down" && row.nextElementSibling) {
        body.insertBefore(row.nextElementSibling, row);
      }
      renumber(body);
      button.focus();  // moving the row took the focus away: keep it on the button pressed
      return;
    }
    var add = event.target.closest && event.target.closest("#agenda-form .add-section");
    if (add) {
      var form = add.closest("form");
      var total = form.querySelector("input[name='sections-TOTAL_FORMS']");
      var html = form.querySelector("#section-template").innerHTML.replace(/__prefix__/g, total.value);
      var tbody = form.querySelector("#agenda-sections");
      tbody.insertAdjacentHTML("beforeend", html);
      total.value = Number(total.value) + 1;
      var added = tbody.lastElementChild;
      added.querySelectorAll(".move-buttons").forEach(function (el) { el.hidden = false; });
      added.querySelector("select").focus();
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("#agenda-form select[name$='-report_slug']")) {
      renumber(event.target.closest("tbody"));
    }
  });

  function start() { var form = document.getElementById("agenda-form"); if (form) enhance(form); }
  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:load", start);  // the form again after an invalid save
})();

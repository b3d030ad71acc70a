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

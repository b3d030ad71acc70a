/* Meeting mode: page with the keyboard; on a rep's page, suggest that rep for the next action item. */
(function () {
  "use strict";

  var KEYS = { ArrowRight: "next", j: "next", ArrowLeft: "prev", k: "prev" };

  function typing(target) {
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("stage")) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (typing(event.target)) {
      // Esc leaves a field of the meeting, so the arrows page again.
      if (event.key === "Escape" && event.target.closest("#meeting")) event.target.blur();
      return;
    }
    var rel = KEYS[event.key];
    if (!rel) return;
    var link = document.querySelector('#stage a[rel="' + rel + '"]');
    if (!link) return;
    event.preventDefault();
    link.click();
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
    if (swapped && swapped.id === "stage") {
      suggestAssignee();
      window.scrollTo({ top: 0 });
    }
  });
})();

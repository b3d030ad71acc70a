/* Settings → Pipelines: drag a stage by its handle to reorder a pipeline, or press its ↑ / ↓
   buttons (plain forms that work without JavaScript). A drag posts the pipeline's hidden
   reorder form with the new order; either way htmx swaps the pipeline's card, and a button
   pressed keeps the focus. A refused reorder (the stages changed meanwhile, 409) shows the card
   as it really is, with the server's words. */
(function () {
  "use strict";

  var refocus = null;  // the id of the ↑ / ↓ button pressed, to focus again in the new card

  function cardOf(elt) { return elt && elt.closest ? elt.closest(".pipeline-settings") : null; }

  function init(root) {
    if (!window.Sortable) return;
    root.querySelectorAll(".pipeline-settings .stage-rows").forEach(function (rows) {
      if (rows.dataset.sortable) return;
      rows.dataset.sortable = "1";
      Sortable.create(rows, {
        handle: ".drag-handle",
        draggable: "tr.stage-row",
        animation: 120,
        onEnd: function (event) {
          if (event.oldIndex === event.newIndex) return;
          var form = cardOf(rows).querySelector("form.reorder");
          var ids = Array.prototype.map.call(rows.querySelectorAll("tr.stage-row"), function (row) {
            return row.dataset.stage;
          });
          form.querySelector("input[name=order]").value = ids.join(",");
          htmx.trigger(form, "submit");
        },
      });
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    if (cardOf(event.detail.elt) && active && active.matches("form.move-stage button")) {
      refocus = active.id;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    init(document);  // a card swapped in drags too
    if (!refocus) return;
    var button = document.getElementById(refocus);
    refocus = null;
    if (button && button.disabled) {  // moved to the top (or the bottom): its other button
      var other = button.id.replace(/-(up|down)$/, function (_, d) { return d === "up" ? "-down" : "-up"; });
      button = document.getElementById(other);
    }
    if (button && !button.disabled) button.focus();
  });

  document.addEventListener("htmx:responseError", function (event) {
    var card = cardOf(event.detail.elt);
    if (!card) return;
    refocus = null;
    var xhr = event.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var said = type.indexOf("text/plain") === 0 ? (xhr.responseText || "").trim() : "";
    var text = said || "Not saved (" + xhr.status + "). Nothing was changed; please try again.";
    var id = card.id;
    htmx.ajax("GET", window.location.pathname, { target: "#" + id, select: "#" + id, swap: "outerHTML" })
      .then(function () {
        var fresh = document.getElementById(id);
        var status = fresh && fresh.querySelector(".pipeline-status");
        if (status) status.textContent = text;
      });
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();

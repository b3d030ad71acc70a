/* The deals board: drag a card to another column, or focus it and press ← / →.
   Both submit the card's own move form (which works without JavaScript too). */
(function () {
  "use strict";

  function stageOf(column) { return column.closest(".column").dataset.stage; }
  function isLost(column) { return column.closest(".column").classList.contains("lost"); }

  function move(card, stageId, lost) {
    var form = card.querySelector("form.move");
    form.querySelector("select[name=stage]").value = stageId;
    if (lost) {
      // A lost deal needs a reason: ask in place; Enter sends, Esc puts the card back.
      var reason = form.querySelector("input[name=lost_reason]");
      card.classList.add("asking");
      reason.focus();
      return;
    }
    htmx.trigger(form, "submit");
  }

  function init(board) {
    board.querySelectorAll(".cards").forEach(function (list) {
      Sortable.create(list, {
        group: "board",
        animation: 120,
        filter: ".readonly",  // cards of others' deals that this user may see but not move
        preventOnFilter: false,
        onEnd: function (event) {
          if (event.from === event.to) return;
          event.item.dataset.from = stageOf(event.from);
          move(event.item, stageOf(event.to), isLost(event.to));
        },
      });
    });
  }

  function neighbour(card, step) {
    var columns = Array.prototype.slice.call(document.querySelectorAll("#board .column"));
    var here = columns.indexOf(card.closest(".column"));
    return columns[here + step];
  }

  document.addEventListener("keydown", function (event) {
    var card = event.target.closest && event.target.closest(".deal-card");
    if (!card) return;
    if (event.target.matches("input[name=lost_reason]")) {
      if (event.key === "Escape") {
        card.classList.remove("asking");
        htmx.ajax("GET", window.location.href, { target: "#board", select: "#board", swap: "outerHTML" });
      }
      return;
    }
    if (event.target !== card || card.classList.contains("readonly")) return;
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      var column = neighbour(card, event.key === "ArrowRight" ? 1 : -1);
      if (!column) return;
      event.preventDefault();
      var cards = column.querySelector(".cards");
      cards.insertBefore(card, cards.firstChild);
      move(card, column.dataset.stage, column.classList.contains("lost"));
    } else if (event.key === "Enter") {
      window.location = card.querySelector("a").href;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("board");
    if (board) init(board);
  });
  // A refused move (the deal changed hands, or someone moved it meanwhile): show the board as
  // it really is. The server says so with an error status or the boardStale event.
  function reloadBoard() {
    htmx.ajax("GET", window.location.href, { target: "#board", select: "#board", swap: "outerHTML" });
  }
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.elt.closest && event.detail.elt.closest("#board")) reloadBoard();
  });
  document.body.addEventListener("boardStale", reloadBoard);
  // After htmx swaps the moved card in, keep keyboard focus on it.
  document.addEventListener("htmx:afterSettle", function (event) {
    var moved = document.querySelector(".deal-card.just-moved");
    if (moved) { moved.classList.remove("just-moved"); moved.focus(); }
  });
})();

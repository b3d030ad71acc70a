/* The deals board: drag a card to another column, or focus it and press ← / →.
   Both submit the card's own move form (which works without JavaScript too); by keyboard,
   Won and Lost ask first. The "Mine / team" switch refreshes the board in place. */
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

  function columns() { return Array.prototype.slice.call(document.querySelectorAll("#board .column")); }
  function isClosed(column) { return column.classList.contains("won") || column.classList.contains("lost"); }

  // By keyboard a card steps among the stages; an open stage saves at once, but Won and Lost
  // only ask (in place, focused): Enter confirms, Esc cancels, a further arrow walks on. So a
  // deal on its way to Lost never passes through Won, and nothing closes a deal unasked.
  function prompt(card) { return card.querySelector(".close-prompt"); }

  function cancelClosing(card) {
    var asked = prompt(card);
    if (asked) asked.remove();
    card.classList.remove("asking");
    delete card.dataset.closing;
    var form = card.querySelector("form.move");
    if (form) form.querySelector("select[name=stage]").value = form.querySelector("input[name=from_stage]").value;
    card.focus();
  }

  function askToClose(card, column) {
    var form = card.querySelector("form.move");
    var select = form.querySelector("select[name=stage]");
    var name = column.querySelector("h2").textContent;
    var asked = prompt(card);
    if (!asked) {
      asked = document.createElement("p");
      asked.className = "close-prompt";
      asked.setAttribute("tabindex", "-1");
      asked.setAttribute("role", "alertdialog");
      card.insertBefore(asked, form);
    }
    card.dataset.closing = column.dataset.stage;
    select.value = column.dataset.stage;
    if (column.classList.contains("lost")) {
      asked.textContent = "Mark it " + name + "? Give the reason; Enter confirms, Esc cancels.";
      card.classList.add("asking");
      form.querySelector("input[name=lost_reason]").focus();
    } else {
      asked.textContent = "Mark it " + name + "? Enter confirms, Esc cancels.";
      card.classList.remove("asking");
      asked.focus();
    }
  }

  function step(card, direction) {
    var all = columns();
    var home = all.indexOf(card.closest(".column"));
    var here = card.dataset.closing ? all.indexOf(document.querySelector('#board .column[data-stage="' + card.dataset.closing + '"]')) : home;
    var column = all[here + direction];
    if (!column) return;
    if (all.indexOf(column) === home) { cancelClosing(card); return; }
    if (isClosed(column)) { askToClose(card, column); return; }
    cancelClosing(card);
    var cards = column.querySelector(".cards");
    cards.insertBefore(card, cards.firstChild);
    move(card, column.dataset.stage, false);
  }

  document.addEventListener("keydown", function (event) {
    var card = event.target.closest && event.target.closest(".deal-card");
    if (!card) return;
    if (event.target.matches("input[name=lost_reason]")) {
      if (event.key !== "Escape") return;
      event.preventDefault();
      if (card.dataset.closing) { cancelClosing(card); return; }
      card.classList.remove("asking");  // dropped here by a drag: put it back where it was
      htmx.ajax("GET", window.location.href, { target: "#board", select: "#board", swap: "outerHTML" });
      return;
    }
    var arrow = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (event.target.matches(".close-prompt")) {
      if (event.key === "Enter") {
        event.preventDefault();
        htmx.trigger(card.querySelector("form.move"), "submit");
      } else if (event.key === "Escape") {
        event.preventDefault();
        cancelClosing(card);
      } else if (arrow) {
        event.preventDefault();
        step(card, arrow);
      }
      return;
    }
    if (event.target !== card || card.classList.contains("readonly")) return;
    if (arrow) {
      event.preventDefault();
      step(card, arrow);
    } else if (event.key === "Enter") {
      window.location = card.querySelector("a").href;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("board");
    if (board) init(board);
  });
  // A board swapped in (the Mine / team switch, or a refresh after a refused move) drags too.
  document.addEventListener("htmx:load", function (event) {
    if (event.detail.elt.id === "board") init(event.detail.elt);
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

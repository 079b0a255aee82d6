/* AIMS page behaviour. It lives here, not in the templates, because the Content-Security-Policy
   (aims/security.py) runs no inline script and applies no style="" attribute. Templates ask for
   behaviour with data- attributes; every page still reads and works without this file. */
(function () {
  "use strict";

  // data-colour="#rrggbb": a colour that comes from data (the level bands of the AI risk criteria).
  // Set through the CSSOM, which the policy allows; the label beside it always names the level too.
  function paint(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var marked = Array.prototype.slice.call(scope.querySelectorAll("[data-colour]"));
    if (scope.matches && scope.matches("[data-colour]")) marked.push(scope);
    marked.forEach(function (el) { el.style.backgroundColor = el.getAttribute("data-colour"); });
  }

  document.addEventListener("DOMContentLoaded", function () { paint(document); });

  // data-fold-on-phone: a list's filters start folded on a phone, so the list is the first thing seen;
  // open when a filter is applied (data-filtered), and always open on a wider screen (aims.css).
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.matchMedia("(max-width: 760px)").matches) return;
    document.querySelectorAll("details[data-fold-on-phone]:not([data-filtered])").forEach(function (fold) {
      fold.removeAttribute("open");
    });
  });
  // Dashboard panels arrive later, through htmx.
  document.addEventListener("htmx:load", function (event) { paint(event.target); });

  // data-confirm="question" on a button that archives, removes, revokes, cancels, rejects ...: the person
  // answers the question before the form goes. Without this file the form posts as it always did.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // data-back: a link that returns to the previous page when there is one; its href is the way
  // when there is not (a page opened in a new tab).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // The main menu (templates/base.html). Without this script it still works: the cycle menus open on
  // hover and keyboard focus, and on a phone "Menu" (a link to #nav) shows the whole menu stacked.
  // With it, every part opens and closes on a click or a key, and says so (aria-expanded).
  var NARROW = window.matchMedia("(max-width: 760px)");

  function setExpanded(control, open) {
    control.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function openCycle(bar, item, open) {
    bar.querySelectorAll(".nav .menu.open").forEach(function (other) {
      if (other !== item) {
        other.classList.remove("open");
        setExpanded(other.querySelector(".menu-label"), false);
      }
    });
    if (item) {
      item.classList.toggle("open", open);
      setExpanded(item.querySelector(".menu-label"), open);
    }
  }

  // A group's title is a heading on a wide screen and a button that folds the group on a phone.
  function groupTitles(bar) {
    bar.querySelectorAll(".menu-group-title").forEach(function (title) {
      if (NARROW.matches) {
        title.setAttribute("role", "button");
        title.tabIndex = 0;
        setExpanded(title, title.parentNode.classList.contains("open"));
      } else {
        title.removeAttribute("role");
        title.removeAttribute("tabindex");
        title.removeAttribute("aria-expanded");
      }
    });
  }

  function toggleGroup(title) {
    var group = title.parentNode;
    var open = !group.classList.contains("open");
    group.parentNode.querySelectorAll(".menu-group.open").forEach(function (other) {
      other.classList.remove("open");
      setExpanded(other.querySelector(".menu-group-title"), false);
    });
    group.classList.toggle("open", open);
    setExpanded(title, open);
  }

  function setUpMenu() {
    var bar = document.querySelector("header.topbar");
    if (!bar) return;
    bar.classList.add("js-menu");
    var toggle = bar.querySelector(".nav-toggle");
    toggle.setAttribute("role", "button");
    setExpanded(toggle, false);
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      setExpanded(toggle, bar.classList.toggle("nav-open"));
    });
    bar.querySelectorAll(".menu-label").forEach(function (label) {
      setExpanded(label, false);
      label.addEventListener("click", function () {
        openCycle(bar, label.parentNode, !label.parentNode.classList.contains("open"));
      });
    });
    groupTitles(bar);
    if (NARROW.addEventListener) NARROW.addEventListener("change", function () { groupTitles(bar); });
    bar.addEventListener("click", function (event) {
      var title = event.target.closest(".menu-group-title[role=button]");
      if (title) toggleGroup(title);
    });
    bar.addEventListener("keydown", function (event) {
      var title = event.target.closest(".menu-group-title[role=button]");
      if (title && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        toggleGroup(title);
      } else if (event.key === "Escape") {
        var open = bar.querySelector(".nav .menu.open");
        if (open && !NARROW.matches) {
          openCycle(bar, null);
          open.querySelector(".menu-label").focus();
        }
      }
    });
    // On a wide screen an open menu covers the page: it closes when the pointer or focus goes elsewhere.
    document.addEventListener("click", function (event) {
      if (!NARROW.matches && !event.target.closest(".nav .menu")) openCycle(bar, null);
    });
    bar.addEventListener("focusout", function (event) {
      var item = event.target.closest(".nav .menu");
      if (!NARROW.matches && item && !(event.relatedTarget && item.contains(event.relatedTarget))) {
        openCycle(bar, null);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", setUpMenu);

  // The register tables of record pages (the SoA's entries, an audit's checklist ...) read as cards on
  // a phone like the lists do (aims.css, table.cards): each cell gets its column's name as data-label.
  // Only tables whose every row matches the header cell for cell; the others scroll inside themselves.
  function labelTables(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("main table.register:not(.cards)").forEach(function (table) {
      var head = table.tHead && table.tHead.rows.length === 1 ? table.tHead.rows[0].cells : null;
      if (!head) return;
      var names = Array.prototype.map.call(head, function (cell) { return cell.textContent.trim(); });
      var rows = [];
      Array.prototype.forEach.call(table.tBodies, function (body) { rows.push.apply(rows, body.rows); });
      var even = rows.every(function (row) {
        return row.cells.length === names.length && Array.prototype.every.call(row.cells, function (cell) {
          return cell.colSpan === 1 && cell.rowSpan === 1;
        });
      });
      if (!rows.length || !even || Array.prototype.some.call(head, function (c) { return c.colSpan > 1; })) return;
      rows.forEach(function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, index) {
          if (names[index]) cell.setAttribute("data-label", names[index]);
        });
      });
      table.classList.add("cards");
    });
  }

  document.addEventListener("DOMContentLoaded", function () { labelTables(document); });
  document.addEventListener("htmx:load", function (event) { labelTables(event.target); });
})();

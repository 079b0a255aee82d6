/* The requirement picker (aims.widgets.RequirementPicker). A <select data-picker> of 30-200 clauses and
   controls, grouped by <optgroup>, becomes a search box over a grouped list of check boxes (radio buttons
   where one is chosen), with what is chosen shown above it. The select stays in the form, hidden and kept
   in step, so the form posts what the plain select would; without this file the select works as it is.
   No style="" and no inline script: the Content-Security-Policy (aims/security.py) allows neither. */
(function () {
  "use strict";
  var made = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function build(select) {
    if (select.getAttribute("data-picker-ready")) return;
    select.setAttribute("data-picker-ready", "1");
    made += 1;
    var id = select.id || "picker-" + made;
    var multiple = select.multiple;
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');

    var box = el("div", "picker");
    box.setAttribute("data-picker-for", id);
    var chosen = el("ul", "picker-chosen");
    chosen.setAttribute("aria-label", "Chosen");
    var search = el("input", "picker-search");
    search.type = "search";
    search.id = id + "-search";
    search.setAttribute("placeholder", "Type a code or words, e.g. A.6 or impact");
    search.setAttribute("aria-controls", id + "-options");
    search.setAttribute("autocomplete", "off");
    if (select.getAttribute("aria-describedby")) {
      search.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    var list = el("div", "picker-options");
    list.id = id + "-options";
    list.setAttribute("role", multiple ? "group" : "radiogroup");
    list.setAttribute("aria-label", "Options to choose from");  // not the field name: the search box bears it
    var none = el("p", "picker-none muted", "Nothing matches. Search by a code (8.4, A.6.2) or a word of the title.");
    none.hidden = true;
    var status = el("p", "picker-status sr-only");
    status.setAttribute("aria-live", "polite");

    var rows = [];  // {option, input, row, text}

    function addOption(option, into) {
      var row = el("label", "picker-option");
      var input = document.createElement("input");
      input.type = multiple ? "checkbox" : "radio";
      input.name = id + "-pick";
      input.setAttribute("form", id + "-no-form");  // no form owner: only the select is posted
      input.value = option.value;
      input.checked = option.selected;
      row.appendChild(input);
      row.appendChild(el("span", "", option.value === "" ? "None" : option.textContent));
      into.appendChild(row);
      var item = { option: option, input: input, row: row, text: option.textContent.toLowerCase() };
      input.addEventListener("change", function () {
        if (multiple) {
          option.selected = input.checked;
        } else if (input.checked) {
          select.value = option.value;
        }
        select.dispatchEvent(new Event("change", { bubbles: true }));
        showChosen();
      });
      rows.push(item);
    }

    Array.prototype.forEach.call(select.children, function (node) {
      if (node.tagName === "OPTGROUP") {
        var group = el("fieldset", "picker-group");
        group.appendChild(el("legend", "", node.label));
        Array.prototype.forEach.call(node.children, function (option) { addOption(option, group); });
        list.appendChild(group);
      } else if (node.tagName === "OPTION") {
        addOption(node, list);
      }
    });

    function showChosen() {
      chosen.textContent = "";
      var picked = rows.filter(function (r) { return r.option.selected && r.option.value !== ""; });
      picked.forEach(function (r) {
        r.input.checked = true;
        var chip = el("li", "picker-chip");
        chip.appendChild(el("span", "", r.option.textContent));
        if (multiple) {
          var drop = el("button", "picker-drop", "×");
          drop.type = "button";
          drop.setAttribute("aria-label", "Remove " + r.option.textContent);
          drop.addEventListener("click", function () {
            r.option.selected = false;
            r.input.checked = false;
            select.dispatchEvent(new Event("change", { bubbles: true }));
            showChosen();
            search.focus();
          });
          chip.appendChild(drop);
        }
        chosen.appendChild(chip);
      });
      rows.forEach(function (r) { if (!r.option.selected) r.input.checked = false; });
      if (!picked.length) chosen.appendChild(el("li", "picker-empty muted", "Nothing chosen yet."));
    }

    function filter() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (r) {
        var match = words.every(function (w) { return r.text.indexOf(w) !== -1; });
        r.row.hidden = !match;
        if (match) shown += 1;
      });
      Array.prototype.forEach.call(list.querySelectorAll(".picker-group"), function (group) {
        group.hidden = !group.querySelector(".picker-option:not([hidden])");
      });
      none.hidden = shown > 0;
      status.textContent = words.length ? shown + (shown === 1 ? " match" : " matches") : "";
      return shown;
    }

    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();  // Enter in the search box never sends the form
      var visible = rows.filter(function (r) { return !r.row.hidden; });
      if (visible.length === 1) {
        visible[0].input.checked = multiple ? !visible[0].input.checked : true;
        visible[0].input.dispatchEvent(new Event("change"));
      }
    });

    box.appendChild(chosen);
    box.appendChild(search);
    box.appendChild(status);
    box.appendChild(none);
    box.appendChild(list);
    if (select.required) {
      // A hidden control the browser cannot focus must not block the form: the server says what is missing.
      select.required = false;
      search.setAttribute("aria-required", "true");
    }
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    if (label) label.htmlFor = search.id;
    select.parentNode.insertBefore(box, select.nextSibling);
    showChosen();
  }

  function enhance(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll("select[data-picker]"), build);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();

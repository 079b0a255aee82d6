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
  // Dashboard panels arrive later, through htmx.
  document.addEventListener("htmx:load", function (event) { paint(event.target); });

  // data-back: a link that returns to the previous page when there is one; its href is the way
  // when there is not (a page opened in a new tab).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();

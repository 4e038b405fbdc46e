/* Starts Swagger UI on /api/v1/docs from a JSON settings block: no inline script, so the
   page runs under the site's CSP (script-src 'self' with nonces). Swagger UI leaves the
   select of an enumerated parameter without a name; each one gets its parameter's name. */
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis];
  window.ui = SwaggerUIBundle(settings);

  function nameSelects(root) {
    root.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", select.closest("tr").getAttribute("data-param-name"));
    });
  }
  new MutationObserver(function () {
    nameSelects(document);
  }).observe(document.getElementById("swagger-ui"), { childList: true, subtree: true });
})();

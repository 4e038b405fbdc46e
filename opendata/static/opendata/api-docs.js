/* Starts Swagger UI on /api/v1/docs from a JSON settings block: no inline script, so the
   page runs under the site's CSP (script-src 'self' with nonces). */
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis];
  window.ui = SwaggerUIBundle(settings);
})();

// The OGC API's documentation page (/ogc/api?f=html, templates/ogc/api.html): Swagger UI, from
// drf-spectacular-sidecar (no internet), reading the OpenAPI document named by #swagger-ui.
(function () {
  "use strict";

  const root = document.getElementById("swagger-ui");
  SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: false,
  });
})();

// The editors' map widgets (django-leaflet's, on the site form) drawn on the offline outline of
// the land (basemap.js), as every other map is: without it, where tiles cannot load, a site's
// point floated in grey with nothing to place it by. The widget adds the tile layer itself.
(function () {
  "use strict";

  const tiles = JSON.parse(document.getElementById("map-tiles").textContent);
  window.addEventListener("map:init", function (event) {
    window.basewatch.basemap(event.detail.map, Object.assign({}, tiles, { url: "" }));
  });
})();

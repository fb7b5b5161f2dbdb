// The OGC API's items and feature pages (templates/ogc/): the page's features on a map, over the
// offline outline of the world (basemap.js), so they show without map tiles. Points are circles,
// movements lines; each opens a popup naming it, with a link to its page. The names are user
// text: they go in through textContent (common.js `el`).
(function () {
  "use strict";

  const { el } = window.basewatch;
  const config = JSON.parse(document.getElementById("ogc-map").textContent);
  const container = document.getElementById("feature-map");
  const map = L.map(container, { scrollWheelZoom: false, worldCopyJump: true });
  window.basewatch.basemap(map, config.tiles);

  const POINT = { radius: 7, color: "#fff", weight: 2, fillColor: "#c0392b", fillOpacity: 0.9 };
  const LINE = { color: "#2471a3", weight: 3, opacity: 0.85 };

  function popup(feature) {
    const box = el("div", null, "ogc-popup");
    const link = box.appendChild(el("a", feature.properties.title));
    link.href = feature.properties.url;
    return box;
  }

  const layer = L.geoJSON(config.features, {
    className: "ogc-feature ogc-line", // the lines' (Leaflet hands these options to each line)
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, Object.assign({ className: "ogc-feature ogc-point" }, POINT));
    },
    style: function (feature) {
      return feature.geometry.type === "Point" ? POINT : LINE;
    },
    onEachFeature: function (feature, shape) {
      shape.bindPopup(function () {
        return popup(feature);
      });
      // An element, not a string: Leaflet would set a string as HTML.
      shape.bindTooltip(el("span", feature.properties.title));
    },
  }).addTo(map);

  const bounds = layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 6 });
  else map.setView([25, 20], 2);
  container.dataset.features = String(layer.getLayers().length);
})();

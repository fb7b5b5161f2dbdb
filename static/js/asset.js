// The asset page's track map: the same track, drawn the same way, as the map page shows for
// ?asset= (map-movements.js, map-track.js), on the offline outline of the world.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("asset-config").textContent);
  const map = L.map("asset-map", { scrollWheelZoom: false, worldCopyJump: true }).setView([25, 20], 3);
  window.basewatch.basemap(map, config.tiles);
  const movements = window.basewatch.mapMovements(map, config, {});
  const track = window.basewatch.mapTrack(map, config, movements, null);
  track.show(config.assetKey, true);
})();

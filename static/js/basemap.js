// What every map is drawn on: land, coastlines and borders from the vendored Natural Earth
// atlas (static/vendor/world-atlas-…), which needs no internet, and map tiles over them when a
// tile URL is configured (settings.TILE_URL). Tiles that fail to load leave the outline in
// view, and the page's #tile-notice says that they failed.
(function () {
  "use strict";

  const { fetchJson } = window.basewatch;

  const LAND = { stroke: false, fill: true, fillColor: "#f4f2ec", fillOpacity: 1 };
  const COAST = { color: "#8796a5", weight: 1, fill: false };
  const BORDER = { color: "#a9b3be", weight: 0.8, fill: false };

  // `tiles`: {url, attribution, world} from the page's json_script (front.views._tiles).
  function basemap(map, tiles) {
    // Under the tile pane (z-index 200), so the outline shows wherever no tile has loaded.
    map.createPane("basemap").style.zIndex = "150";
    map.getContainer().classList.add("has-basemap"); // its background is the sea
    // One canvas for the whole outline (some 80,000 points): no DOM element per shape.
    const renderer = L.canvas({ pane: "basemap", padding: 0.5 });
    drawWorld(map, tiles.world, renderer);
    if (tiles.url) addTiles(map, tiles);
  }

  async function drawWorld(map, url, renderer) {
    const container = map.getContainer();
    let world;
    try {
      world = await fetchJson(url);
    } catch {
      container.dataset.basemap = "failed"; // the tiles, if any, still show where things are
      return;
    }
    const countries = world.objects.countries;
    const options = { renderer: renderer, interactive: false };
    const land = topojson.feature(world, world.objects.land).features.flatMap(function (feature) {
      return feature.geometry.coordinates;
    });
    // An arc that belongs to one country only is a coast; one shared by two is a border.
    const coasts = topojson.mesh(world, countries, function (a, b) {
      return a === b;
    }).coordinates;
    const borders = topojson.mesh(world, countries, function (a, b) {
      return a !== b;
    }).coordinates;
    // A layer per island and per line, not one for the world: on every redraw Leaflet skips
    // those outside the view by their bounds instead of clipping all 80,000 points.
    const islands = land.map(function (polygon) {
      return { type: "Polygon", coordinates: polygon.map(unwrap) };
    });
    L.geoJSON(islands, Object.assign({ style: LAND, attribution: "Natural Earth" }, options)).addTo(map);
    L.geoJSON(borders.map(lineString), Object.assign({ style: BORDER }, options)).addTo(map);
    L.geoJSON(coasts.map(unwrap).map(lineString), Object.assign({ style: COAST }, options)).addTo(map);
    container.dataset.basemap = "drawn";
  }

  function lineString(points) {
    return { type: "LineString", coordinates: points };
  }

  // The atlas's rings that cross the antimeridian (Chukotka, Fiji, Antarctica) jump from +180
  // to -180 between two points, which Leaflet would draw as a line, and a band of land, across
  // the whole world. Their longitudes are made continuous instead, and each ring is placed
  // where it mostly lies: Chukotka just east of 180°, Antarctica (all longitudes) from -180.
  function unwrap(ring) {
    let offset = 0;
    let west = Infinity;
    let east = -Infinity;
    const points = ring.map(function (point, index) {
      if (index > 0) {
        const step = point[0] - ring[index - 1][0];
        if (step > 180) offset -= 360;
        else if (step < -180) offset += 360;
      }
      const lng = point[0] + offset;
      west = Math.min(west, lng);
      east = Math.max(east, lng);
      return [lng, point[1]];
    });
    const shift = east - west >= 359 ? -360 * Math.round((west + 180) / 360) : -360 * Math.floor((west + east) / 720 + 0.5);
    if (!shift) return points;
    return points.map(function (point) {
      return [point[0] + shift, point[1]];
    });
  }

  function addTiles(map, tiles) {
    const layer = L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19 });
    layer.on("tileerror", function () {
      document.getElementById("tile-notice").hidden = false;
    });
    layer.addTo(map);
  }

  window.basewatch.basemap = basemap;
})();

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

  // The outline at two scales: Natural Earth's 1:110m out to a continent, its 1:50m from
  // DETAIL_ZOOM on, loaded the first time the map comes that close. At a world view the
  // 1:50m's 80,000 points took about 200 ms of the map's first draw for no difference one
  // can see; a country's coast needs them (Syria's outline: 175 points at 1:50m, 32 at 1:110m).
  const DETAIL_ZOOM = 5;

  // `tiles`: {url, attribution, world: {overview, detail}} from the page's json_script (lib.tiles.map_tiles).
  function basemap(map, tiles) {
    // Under the tile pane (z-index 200), so the outline shows wherever no tile has loaded.
    map.createPane("basemap").style.zIndex = "150";
    const container = map.getContainer();
    container.classList.add("has-basemap"); // its background is the sea
    // One canvas for the whole outline: no DOM element per shape.
    const renderer = L.canvas({ pane: "basemap", padding: 0.5 });
    const outlines = {}; // scale -> the promise of its layer (null: the atlas could not be read)
    let shown = null;

    // The scale the zoom wants, drawn once it has loaded; until then the other stays.
    function showScale() {
      const scale = map.getZoom() >= DETAIL_ZOOM ? "detail" : "overview";
      if (!(scale in outlines)) outlines[scale] = outline(tiles.world[scale], renderer);
      outlines[scale].then(function (layer) {
        const wanted = map.getZoom() >= DETAIL_ZOOM ? "detail" : "overview";
        if (wanted !== scale || layer === shown) return;
        if (!layer) {
          if (!shown) container.dataset.basemap = "failed"; // the tiles, if any, still show where things are
          return;
        }
        if (shown) map.removeLayer(shown);
        map.addLayer(layer);
        shown = layer;
        container.dataset.basemap = "drawn";
        container.dataset.basemapScale = scale;
      });
    }
    map.on("zoomend", showScale);
    showScale();
    if (tiles.url) addTiles(map, tiles);
  }

  // The atlas at `url` as one layer of land, borders and coasts; null if it cannot be read.
  async function outline(url, renderer) {
    let world;
    try {
      world = await fetchJson(url);
    } catch {
      return null;
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
    // those outside the view by their bounds instead of clipping every point.
    const islands = land.map(function (polygon) {
      return { type: "Polygon", coordinates: polygon.map(unwrap) };
    });
    return L.layerGroup([
      L.geoJSON(islands, Object.assign({ style: LAND, attribution: "Natural Earth" }, options)),
      L.geoJSON(borders.map(lineString), Object.assign({ style: BORDER }, options)),
      L.geoJSON(coasts.map(unwrap).map(lineString), Object.assign({ style: COAST }, options)),
    ]);
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

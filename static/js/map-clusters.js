// The map's sites, clustered: supercluster (vendored) groups the sites at the map's zoom, and
// only what is in view is on the map, a marker per cluster and per site standing alone. With
// 10,000 sites (tier M), Leaflet.markercluster, which made and placed a marker for every site
// before drawing, took 400–460 ms. Supercluster clusters a zoom the first time the map shows
// it (4–7 ms for 10,000 sites in Chromium here), from the sites themselves: grouping them for
// all eighteen zooms at once, each from the one above, took 55–90 ms of every first draw.
(function () {
  "use strict";

  // Sites are drawn a little beyond the edges, so a small pan shows them at once.
  const MARGIN = 0.1;

  // `map`: the Leaflet map. `options`:
  //   radius: pixels within which sites gather into a cluster;
  //   siteMarker(i): site i's marker (the caller makes it, once);
  //   clusterIcon(sites): the icon of a cluster of these sites (their indexes), the same
  //     icon object while it would look the same.
  window.basewatch.mapClusters = function (map, options) {
    const layer = L.layerGroup().addTo(map);
    const shown = new Map(); // "s<i>" for site i, "c<zoom>:<id>" for a cluster -> its marker on the map
    let sites = null; // the sites drawn as GeoJSON points, and their clusters by zoom as made
    // A cluster's sites, by its key, asked for once: the clusters stay as long as the sites
    // do, and a new date only changes what the sites count (a few milliseconds to sum again).
    const sitesOf = new Map();

    // The clusters at `zoom`, made the first time it is shown. At the map's last zoom every
    // site stands alone, even two at one place: supercluster answers a zoom past the one it
    // clustered with the sites themselves.
    function clustersAt(zoom) {
      const level = Math.min(zoom, map.getMaxZoom() - 1);
      if (!sites.byZoom.has(level)) {
        const made = new Supercluster({
          radius: options.radius,
          extent: 256, // the radius is in pixels of a 256-pixel tile, Leaflet's own
          minZoom: level,
          maxZoom: level,
        });
        sites.byZoom.set(level, made.load(sites.points));
      }
      return sites.byZoom.get(level);
    }

    function clusterSites(key, index, id) {
      if (!sitesOf.has(key)) {
        sitesOf.set(key, index.getLeaves(id, Infinity).map(function (leaf) {
          return leaf.properties.site;
        }));
      }
      return sitesOf.get(key);
    }

    // A click shows the cluster's sites: the map fits them, spread over the view, so they no
    // longer make one cluster (all at one place: the last zoom, where every site stands alone).
    function clusterMarker(feature, key, index) {
      const [lng, lat] = feature.geometry.coordinates;
      const members = clusterSites(key, index, feature.properties.cluster_id);
      const marker = L.marker([lat, lng], { icon: options.clusterIcon(members) });
      marker.on("click", function () {
        const places = members.map(function (site) {
          const [siteLng, siteLat] = sites.points[site].geometry.coordinates;
          return [siteLat, siteLng];
        });
        map.fitBounds(L.latLngBounds(places), { padding: [options.radius, options.radius] });
      });
      marker.clusterKey = key;
      return marker;
    }

    // What is in view, drawn: markers already shown stay, the others come and go.
    function draw() {
      if (!sites) return;
      const bounds = map.getBounds().pad(MARGIN);
      const box = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
      const zoom = Math.round(map.getZoom());
      const index = clustersAt(zoom);
      const wanted = new Map();
      for (const feature of index.getClusters(box, zoom)) {
        const p = feature.properties;
        const key = p.cluster ? "c" + zoom + ":" + p.cluster_id : "s" + p.site;
        let marker = shown.get(key);
        if (!marker) marker = p.cluster ? clusterMarker(feature, key, index) : options.siteMarker(p.site);
        wanted.set(key, marker);
      }
      for (const [key, marker] of shown) {
        if (wanted.has(key)) continue;
        // A marker whose popup is open stays until it closes: removing the marker would close
        // the popup, and a tall popup pans its marker out of view to fit on a phone.
        if (marker.isPopupOpen()) wanted.set(key, marker);
        else layer.removeLayer(marker);
      }
      for (const [key, marker] of wanted) if (!shown.has(key)) layer.addLayer(marker);
      shown.clear();
      for (const [key, marker] of wanted) shown.set(key, marker);
    }

    map.on("moveend", draw);

    return {
      // Other sites, at `places` ([lng, lat] each, site i at places[i]): drawn afresh.
      setSites: function (places) {
        layer.clearLayers();
        shown.clear();
        sitesOf.clear();
        const points = places.map(function (coordinates, site) {
          return { type: "Feature", geometry: { type: "Point", coordinates: coordinates }, properties: { site: site } };
        });
        sites = { points: points, byZoom: new Map() };
        draw();
      },
      // What the sites count changed: the clusters in view show their new sums (the others
      // when they come into view; the sites' own markers are the caller's).
      refresh: function () {
        for (const marker of shown.values()) {
          if (marker.clusterKey === undefined) continue;
          const icon = options.clusterIcon(sitesOf.get(marker.clusterKey));
          if (icon !== marker.options.icon) marker.setIcon(icon);
        }
      },
    };
  };
})();

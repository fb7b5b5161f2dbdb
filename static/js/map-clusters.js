// The map's sites, clustered: supercluster (vendored) groups the sites for every zoom at
// once, and only what is in view is on the map, a marker per cluster and per site standing
// alone. With 10,000 sites (tier M), Leaflet.markercluster, which made and placed a marker
// for every site before drawing, took 400–460 ms; supercluster takes under 100 ms, and the
// map then holds the few hundred markers in view.
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
    const shown = new Map(); // "s<i>" for site i, "c<id>" for a cluster -> its marker on the map
    let index = null;
    // A cluster's sites, by its id, asked for once: the clusters stay as long as the sites do,
    // and a new date only changes what the sites count (a few milliseconds to sum again,
    // where making the clusters again takes 70–100).
    const sitesOf = new Map();

    function clusterSites(id) {
      if (!sitesOf.has(id)) {
        sitesOf.set(id, index.getLeaves(id, Infinity).map(function (leaf) {
          return leaf.properties.site;
        }));
      }
      return sitesOf.get(id);
    }

    function clusterMarker(feature) {
      const [lng, lat] = feature.geometry.coordinates;
      const id = feature.properties.cluster_id;
      const marker = L.marker([lat, lng], { icon: options.clusterIcon(clusterSites(id)) });
      marker.on("click", function () {
        map.setView(marker.getLatLng(), index.getClusterExpansionZoom(id));
      });
      marker.clusterId = id;
      return marker;
    }

    // What is in view, drawn: markers already shown stay, the others come and go.
    function draw() {
      if (!index) return;
      const bounds = map.getBounds().pad(MARGIN);
      const box = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
      const wanted = new Map();
      for (const feature of index.getClusters(box, Math.round(map.getZoom()))) {
        const p = feature.properties;
        const key = p.cluster ? "c" + p.cluster_id : "s" + p.site;
        let marker = shown.get(key);
        if (!marker) marker = p.cluster ? clusterMarker(feature) : options.siteMarker(p.site);
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
      // The clusters of the sites whose places ([lng, lat] each) are `places`, for every zoom;
      // made apart from showing them, so a load can make them while its other data arrives.
      clustersOf: function (places) {
        const made = new Supercluster({
          radius: options.radius,
          extent: 256, // the radius is in pixels of a 256-pixel tile, Leaflet's own
          // At the map's last zoom every site stands alone, even two at one place.
          maxZoom: map.getMaxZoom() - 1,
        });
        made.load(places.map(function (coordinates, site) {
          return { type: "Feature", geometry: { type: "Point", coordinates: coordinates }, properties: { site: site } };
        }));
        return made;
      },
      // Other sites, clustered as clustersOf(their places) made them: drawn afresh.
      setSites: function (clusters) {
        layer.clearLayers();
        shown.clear();
        sitesOf.clear();
        index = clusters;
        draw();
      },
      // What the sites count changed: the clusters in view show their new sums (the others
      // when they come into view; the sites' own markers are the caller's).
      refresh: function () {
        for (const marker of shown.values()) {
          if (marker.clusterId === undefined) continue;
          const icon = options.clusterIcon(clusterSites(marker.clusterId));
          if (icon !== marker.options.icon) marker.setIcon(icon);
        }
      },
    };
  };
})();

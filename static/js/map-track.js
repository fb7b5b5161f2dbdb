// An identified asset's track on a map (map.js shows it for ?asset=RA-76845, asset.js on the
// asset page): its published movements as numbered, dated arrows site to site and the sites
// it was seen at as rings, in date order as the API's track gives them, with a panel naming
// the asset (a link to its page) and, given `onClear`, a button to clear it. Text from the
// data goes in through textContent.
window.basewatch.mapTrack = function (map, config, movements, onClear) {
  "use strict";

  const { el, fetchJson } = window.basewatch;
  const COLOUR = "#d35400";
  const layer = L.featureGroup().addTo(map);
  // Rings over the site badges (markers are at z-index 600), so a badge of any size shows
  // its ring; they are outlines only, so a click inside one still reaches the site.
  map.createPane("track-stops").style.zIndex = "620";
  // The legs over the other movements (overlayPane, 400), whichever was drawn last.
  map.createPane("track").style.zIndex = "450";

  let shown = ""; // the asset key drawn (or being drawn)
  let loading = null; // {key, promise, controller}

  const panel = L.control({ position: "topright" });
  let box = null;
  panel.onAdd = function () {
    box = el("section", null, "track-panel");
    box.setAttribute("aria-label", "Asset track");
    box.setAttribute("aria-live", "polite");
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };

  // Draws the track of `key` (a registration, hex or id; "" clears it) and resolves when it is
  // drawn or has failed (the panel then says why). `fit`: bring the whole track into view.
  function show(key, fit) {
    if (loading && loading.key === key) return loading.promise;
    if (loading) {
      loading.controller.abort();
      loading = null;
    }
    if (key === shown && !loading) return Promise.resolve();
    clear();
    shown = key;
    if (!key) return Promise.resolve();
    const controller = new AbortController();
    const url = config.assetsUrl + encodeURIComponent(key) + "/track/";
    document.body.dataset.track = "loading";
    fillPanel([el("p", "Loading the track of " + key + "…", "muted")]);
    const promise = fetchJson(url, controller.signal)
      .then(function (track) {
        if (!controller.signal.aborted) draw(track, fit);
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        document.body.dataset.track = "failed";
        fillPanel([el("p", "Could not load the track of " + key + ": " + error.message), ...clearButton()]);
      })
      .finally(function () {
        if (loading && loading.controller === controller) loading = null;
      });
    loading = { key: key, promise: promise, controller: controller };
    return promise;
  }

  function clear() {
    layer.clearLayers();
    shown = "";
    map.getContainer().classList.remove("showing-track");
    if (box) panel.remove();
    delete document.body.dataset.track;
  }

  function fillPanel(children) {
    if (!box || !box.isConnected) panel.addTo(map);
    box.replaceChildren(...children);
  }

  // [the button], or [] where the track cannot be cleared (the asset page: `onClear` null).
  function clearButton() {
    if (!onClear) return [];
    const button = el("button", "Clear track", "track-clear");
    button.type = "button";
    button.addEventListener("click", function () {
      clear();
      onClear();
    });
    return [button];
  }

  function draw(track, fit) {
    const asset = track.asset;
    const legs = track.features.filter(function (f) {
      return f.properties.kind === "movement";
    });
    const sightings = track.features.filter(function (f) {
      return f.properties.kind === "sighting";
    });
    // Numbered in the track's (date) order, legs and sightings together.
    const number = new Map(track.features.map(function (f, index) {
      return [f, index + 1];
    }));
    for (const leg of legs) drawLeg(leg, number.get(leg), asset);
    drawSightings(sightings, number, asset);
    map.getContainer().classList.toggle("showing-track", track.features.length > 0);
    fillPanel(panelContent(asset, legs, sightings, track.features));
    if (fit && track.features.length) fitTrack();
    document.body.dataset.track = asset.key;
    document.body.dataset.trackLegs = String(legs.length);
    document.body.dataset.trackSightings = String(sightings.length);
  }

  // The whole track in view and clear of the panel: beside it on a wide map, under it on a phone.
  function fitTrack() {
    const width = box.offsetWidth + 20;
    const height = box.offsetHeight + 20;
    const wide = map.getSize().x > 3 * width;
    map.fitBounds(layer.getBounds(), {
      maxZoom: 7,
      paddingTopLeft: [40, wide ? 50 : height + 40],
      paddingBottomRight: [wide ? width : 40, 50],
    });
  }

  function drawLeg(leg, n, asset) {
    const look = { colour: COLOUR, className: "track-line", arrow: "track-arrow", pane: "track", context: asset };
    const line = movements.movementLine(leg, look);
    layer.addLayer(line);
    const p = leg.properties;
    // The date beside the arrow, off the line: above a line that runs across, right of one that runs up.
    const points = line.getLayers()[0].getLatLngs();
    const [a, b] = [points[0], points[2]].map(function (point) {
      return map.project(point, 0);
    });
    const across = Math.abs(b.x - a.x) > Math.abs(b.y - a.y);
    const label = L.tooltip({
      permanent: true,
      direction: across ? "top" : "right",
      offset: across ? [0, -12] : [14, 0],
      className: "track-label",
      interactive: false,
    });
    label.setLatLng(points[1]).setContent(el("span", n + ". " + (p.arrived || p.departed || "undated")));
    layer.addLayer(label);
  }

  // One ring per site, its label the numbers and dates it was seen on, its popup each sighting.
  function drawSightings(sightings, number, asset) {
    const bySite = new Map();
    for (const sighting of sightings) {
      const slug = sighting.properties.site.slug;
      if (!bySite.has(slug)) bySite.set(slug, []);
      bySite.get(slug).push(sighting);
    }
    for (const group of bySite.values()) {
      const [lng, lat] = group[0].geometry.coordinates;
      const ring = L.circleMarker([lat, lng], {
        pane: "track-stops",
        radius: 21,
        color: COLOUR,
        weight: 4,
        fill: false,
        className: "track-stop",
      });
      const dates = group.map(function (sighting) {
        return number.get(sighting) + ". seen " + sighting.properties.date;
      });
      // Above the ring: the site's name hangs below it (from zoom 6).
      ring.bindTooltip(el("span", dates.join(", ")), {
        permanent: true, direction: "top", offset: [0, -22], className: "track-label", interactive: false,
      });
      ring.bindPopup(function () {
        return sightingPopup(group, asset);
      }, movements.POPUP);
      layer.addLayer(ring);
    }
  }

  function sightingPopup(group, asset) {
    const site = group[0].properties.site;
    const box = el("div", null, "movement-popup");
    const title = box.appendChild(el("strong"));
    title.appendChild(movements.link(site.name, site.url));
    box.appendChild(el("div")).appendChild(movements.link(asset.label, asset.url));
    for (const sighting of group) {
      const p = sighting.properties;
      const line = box.appendChild(el("div", "seen " + p.date + (p.count > 1 ? ", " + p.count + " counted" : ""), "muted"));
      if (p.sources && p.sources.length) box.appendChild(movements.sourceList(p.sources));
      if (p.url) {
        line.appendChild(document.createTextNode(" · "));
        line.appendChild(movements.link("details", p.url));
      }
    }
    return box;
  }

  function panelContent(asset, legs, sightings, features) {
    const title = el("p", "Track of ", "track-title");
    title.appendChild(movements.link(asset.label, asset.url));
    const dates = features
      .flatMap(function (f) {
        return [f.properties.date, f.properties.departed, f.properties.arrived];
      })
      .filter(Boolean)
      .sort();
    const counts = plural(legs.length, "movement") + ", " + plural(sightings.length, "sighting");
    const span = dates.length ? " · " + dates[0] + (dates.at(-1) !== dates[0] ? " to " + dates.at(-1) : "") : "";
    const summary = features.length ? counts + span : "No published sightings or movements yet.";
    return [title, el("p", summary, "muted track-summary"), ...clearButton()];
  }

  function plural(count, noun) {
    return count + " " + noun + (count === 1 ? "" : "s");
  }

  return {
    show: show,
    get key() {
      return shown;
    },
  };
};

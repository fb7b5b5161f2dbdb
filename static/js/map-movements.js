// Movement lines on a map: the map page's movements and an asset's track (map.js, map-track.js).
// A movement is a straight line from origin to destination with arrowheads at its middle and
// just short of its end, under a transparent line wide enough to hit with a finger. Hovering
// shows a short tooltip, clicking a popup naming what moved, when, on whose word, with links
// to the asset and the movement. All text from the data goes in through textContent
// (common.js `el`).
window.basewatch.mapMovements = function (map, config, siteNames) {
  "use strict";

  const { el } = window.basewatch;
  const SVG = "http://www.w3.org/2000/svg";
  const HIT_WEIGHT = 16; // px: the width a click or a tap on a movement lands on
  // Leaflet draws the popup over the zoom buttons, and a phone is narrow.
  // A popup taller than the map hid its last rows under the legend, out of reach on a phone:
  // it scrolls within the map's height instead.
  const POPUP = {
    autoPanPaddingTopLeft: [50, 10],
    maxWidth: Math.min(300, window.innerWidth - 110),
    maxHeight: Math.max(160, map.getSize().y - 110),
  };

  // A popup and a tooltip never show at once: while a popup is open no movement tooltip
  // opens (CSS hides them under .has-popup), and the one that led to the click is closed.
  map.on("popupopen", function () {
    map.getContainer().classList.add("has-popup");
    map.eachLayer(function (layer) {
      if (layer instanceof L.Tooltip && layer.options.className === "movement-tooltip") map.closeTooltip(layer);
    });
  });
  map.on("popupclose", function () {
    map.getContainer().classList.remove("has-popup");
  });

  // The arrowheads: SVG markers in the overlay's <svg>, a pair per colour, drawn with a white
  // rim so they read on land, sea and over other lines. One at the line's middle; one that
  // stops short of its end, where it would hide under the destination's marker (a long leg
  // seen close up shows one of its ends only).
  const MARKER_SCALE = 26 / 16; // px per unit of the markers' viewBox
  const END_GAP = 22; // px between the end arrow's tip and the destination

  function arrowDefs(svg, id, colour) {
    if (svg.getElementById(id)) return;
    let defs = svg.querySelector("defs");
    if (!defs) defs = svg.insertBefore(document.createElementNS(SVG, "defs"), svg.firstChild);
    defs.appendChild(arrowMarker(id, colour, 5));
    defs.appendChild(arrowMarker(id + "-end", colour, 12 + END_GAP / MARKER_SCALE));
  }

  // `refX`: the point of the arrow (tip at 12) placed on the line's vertex.
  function arrowMarker(id, colour, refX) {
    const marker = document.createElementNS(SVG, "marker");
    marker.setAttribute("id", id);
    marker.setAttribute("viewBox", "-2 -2 16 14");
    marker.setAttribute("refX", String(refX));
    marker.setAttribute("refY", "5");
    // In px, whatever the line's width (markerUnits is the stroke width by default).
    marker.setAttribute("markerUnits", "userSpaceOnUse");
    marker.setAttribute("markerWidth", String(16 * MARKER_SCALE));
    marker.setAttribute("markerHeight", String(14 * MARKER_SCALE));
    marker.setAttribute("orient", "auto");
    const head = marker.appendChild(document.createElementNS(SVG, "path"));
    head.setAttribute("d", "M0,0 L12,5 L0,10 z");
    head.setAttribute("fill", colour);
    head.setAttribute("stroke", "#fff");
    head.setAttribute("stroke-width", "1.5");
    head.setAttribute("stroke-linejoin", "round");
    return marker;
  }

  // Origin, middle, destination: the middle taken in the map's projection, so that the line
  // stays straight on the map and the arrowhead (marker-mid) sits on it, pointing along it.
  function latLngs(feature) {
    const [from, to] = [feature.geometry.coordinates[0], feature.geometry.coordinates.at(-1)].map(function (c) {
      return L.latLng(c[1], c[0]);
    });
    const crs = map.options.crs;
    const middle = crs.unproject(crs.project(from).add(crs.project(to)).divideBy(2));
    return [from, middle, to];
  }

  // `look`: {colour, className, dashArray, arrow (the marker's id, one per colour), pane,
  // context (the asset's label and page, which a track's legs do not repeat)}. Returns the
  // layer group to add.
  function movementLine(feature, look) {
    const points = latLngs(feature);
    // smoothFactor 0: Leaflet would drop the middle point as redundant. noClip: a line cut at
    // the edge of the view would move its middle.
    const common = { noClip: true, smoothFactor: 0, pane: look.pane || "overlayPane" };
    const line = L.polyline(points, Object.assign({}, common, {
      color: look.colour, weight: 3, opacity: 0.9, dashArray: look.dashArray, className: look.className, interactive: false,
    }));
    const hit = L.polyline(points, Object.assign({}, common, {
      color: "#000", weight: HIT_WEIGHT, opacity: 0, className: "movement-hit",
    }));
    hit.bindPopup(function () {
      return movementPopup(feature, look.context);
    }, POPUP);
    hit.bindTooltip(function () {
      return el("span", tooltipText(feature, look.context));
    }, { sticky: true, className: "movement-tooltip" });
    const group = L.featureGroup([line, hit]);
    group.on("add", function () {
      const path = line.getElement();
      arrowDefs(path.ownerSVGElement, look.arrow, look.colour);
      path.setAttribute("marker-mid", "url(#" + look.arrow + ")");
      path.setAttribute("marker-end", "url(#" + look.arrow + "-end)");
      path.dataset.movement = String(feature.id);
      hit.getElement().dataset.movement = String(feature.id);
    });
    return group;
  }

  function endName(end) {
    if (end && typeof end === "object") return end.name;
    return siteNames[end] || end;
  }

  // What moved: the asset by name, else the type and how many, with the number of trips.
  function whatMoved(p, context) {
    const label = p.asset_label || (context && context.label);
    if (label) return label;
    const type = config.assetTypes[p.asset_type] || p.asset_type;
    const what = (p.count > 1 ? p.count + " × " : "") + type;
    return p.trips_text ? what + " — " + p.trips_text : what;
  }

  function datesText(p) {
    if (p.departed && p.arrived) return p.departed === p.arrived ? "on " + p.arrived : p.departed + " → " + p.arrived;
    if (p.arrived) return "arrived " + p.arrived + " (departure not reported)";
    if (p.departed) return "departed " + p.departed + " (arrival not reported)";
    return "dates not reported";
  }

  // A glance: what and when (the popup says where from, where to and on whose word).
  function tooltipText(feature, context) {
    const p = feature.properties;
    return whatMoved(p, context) + " · " + (p.arrived || p.departed || "undated");
  }

  // A link to a web address (a source's, an archive's) or to one of our pages; any other
  // scheme (javascript:, data:) is shown as text, not followed.
  function link(text, href) {
    const url = new URL(href, window.location.href);
    if (url.protocol !== "https:" && url.protocol !== "http:") return el("span", text);
    const a = el("a", text);
    a.setAttribute("href", href);
    return a;
  }

  function movementPopup(feature, context) {
    const p = feature.properties;
    const box = el("div", null, "movement-popup");
    box.appendChild(el("strong", endName(p.origin) + " → " + endName(p.destination)));
    const what = box.appendChild(el("div", null, "movement-what"));
    const assetUrl = p.asset_url || (context && context.url);
    if (assetUrl) what.appendChild(link(whatMoved(p, context), assetUrl));
    else what.textContent = whatMoved(p, context);
    if (assetUrl && p.trips_text) what.appendChild(document.createTextNode(" — " + p.trips_text));
    box.appendChild(el("div", datesText(p), "muted movement-dates"));
    if (p.sources && p.sources.length) box.appendChild(sourceList(p.sources));
    if (p.url) box.appendChild(el("div", null, "movement-more")).appendChild(link("Movement details", p.url));
    return box;
  }

  // "Publisher: title (B — usually reliable) · archive", the title a link when the source has a URL.
  function sourceList(sources) {
    const list = el("ul", null, "sources movement-sources");
    for (const source of sources) {
      const item = list.appendChild(el("li"));
      if (source.publisher) item.appendChild(document.createTextNode(source.publisher + ": "));
      item.appendChild(source.url ? link(source.title, source.url) : el("span", source.title));
      const grade = config.reliability[source.reliability] || source.reliability;
      if (grade) item.appendChild(el("span", " (" + grade + ")", "muted"));
      if (source.archive_url) {
        item.appendChild(document.createTextNode(" · "));
        item.appendChild(link("archive", source.archive_url));
      }
    }
    return list;
  }

  return { movementLine: movementLine, sourceList: sourceList, link: link, POPUP: POPUP };
};

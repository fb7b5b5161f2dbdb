// The map page: every site's posture at a date, movements over the period before it.
// All state (date, filters, map view) lives in the URL, so a view can be shared and
// the back button steps through changes. User text only ever reaches the page
// through textContent (common.js's `el`).
(function () {
  "use strict";

  const { DAY, el, parseDate, isoDate, fetchJson, fetchAllPages, countText, ageText } = window.basewatch;
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const form = document.getElementById("map-controls");
  const slider = document.getElementById("date-slider");
  const dateInput = document.getElementById("date-input");
  const message = document.getElementById("map-message");
  const tileNotice = document.getElementById("tile-notice");
  const FILTERS = ["operator", "host_country", "kind", "category", "q", "period"];
  const PALETTE = ["#c0392b", "#2471a3", "#1e8449", "#b9770e", "#7d3c98", "#117a65", "#a04000", "#2e4053"];

  const earliest = parseDate(config.earliest);
  const today = parseDate(config.today);
  slider.max = String(Math.round((today - earliest) / DAY));

  // --- state <-> URL --------------------------------------------------------------

  // The date is `as_of`, as in the API. Links shared before it had that name say `date`:
  // they still open on their date, and the URL written back says `as_of`.
  function readState() {
    const params = new URLSearchParams(window.location.search);
    const state = { as_of: params.get("as_of") || params.get("date") || config.latest };
    if (!parseDate(state.as_of)) state.as_of = config.latest;
    for (const name of FILTERS) state[name] = params.get(name) || "";
    const lat = parseFloat(params.get("lat"));
    const lng = parseFloat(params.get("lng"));
    const zoom = parseInt(params.get("z"), 10);
    if (isFinite(lat) && isFinite(lng) && isFinite(zoom)) state.view = { lat, lng, zoom };
    return state;
  }

  function stateUrl(state) {
    const params = new URLSearchParams();
    params.set("as_of", state.as_of);
    for (const name of FILTERS) if (state[name]) params.set(name, state[name]);
    const centre = map.getCenter();
    params.set("lat", centre.lat.toFixed(4));
    params.set("lng", centre.lng.toFixed(4));
    params.set("z", String(map.getZoom()));
    return "?" + params.toString();
  }

  function controlsToState() {
    const state = { as_of: dateInput.value || config.today };
    for (const name of FILTERS) state[name] = form.elements[name].value.trim();
    return state;
  }

  function stateToControls(state) {
    dateInput.value = state.as_of;
    slider.value = String(Math.round((parseDate(state.as_of) - earliest) / DAY));
    for (const name of FILTERS) form.elements[name].value = state[name];
  }

  // --- map ------------------------------------------------------------------------

  const initial = readState();
  const map = L.map("map", { worldCopyJump: true });
  if (initial.view) map.setView([initial.view.lat, initial.view.lng], initial.view.zoom);
  else map.setView(config.center, config.zoom);

  const tiles = L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 19 });
  tiles.on("tileerror", function () {
    tileNotice.hidden = false;
  });
  tiles.addTo(map);

  // A cluster shows the assets counted at its sites, like a site marker, ringed: "+" when some
  // of them hold types present in unknown numbers, "?" when nothing is known at any.
  const clusters = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 40,
    iconCreateFunction: function (cluster) {
      const sites = cluster.getAllChildMarkers().map(function (marker) {
        return marker.feature.properties;
      });
      const total = sites.reduce(function (sum, p) {
        return sum + (p.posture_total || 0);
      }, 0);
      const known = sites.some(function (p) {
        return p.posture_label !== "?";
      });
      const more = sites.some(function (p) {
        return p.uncounted_types > 0;
      });
      const label = !known ? "?" : more ? total + "+" : String(total);
      const size = Math.round(30 + 8 * Math.log2(1 + total));
      const badge = el("span", label, "site-badge cluster-badge");
      badge.title = cluster.getChildCount() + " sites";
      badge.style.width = badge.style.height = size + "px";
      badge.style.lineHeight = size + "px";
      return L.divIcon({ html: badge, className: "site-marker", iconSize: [size, size] });
    },
  });
  const movementLayer = L.layerGroup();
  map.addLayer(movementLayer);
  map.addLayer(clusters);

  const operatorColour = {};
  config.operators.forEach(function (operator, index) {
    operatorColour[operator.code] = PALETTE[index % PALETTE.length];
  });

  const legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    const box = el("div", null, "map-legend");
    box.appendChild(el("strong", "Operator"));
    for (const operator of config.operators) {
      const row = el("div");
      const swatch = el("span", null, "swatch");
      swatch.style.background = operatorColour[operator.code];
      row.appendChild(swatch);
      row.appendChild(el("span", operator.name));
      box.appendChild(row);
    }
    appendPostureLegend(box);
    return box;
  };

  // What a marker's number and look say (core.posture; README "How posture is computed").
  function appendPostureLegend(box) {
    box.appendChild(el("strong", "Number: assets counted (based there)"));
    const rows = [
      ["3", "", "3 counted"],
      ["3+", "", "3 counted, and more present in unknown numbers"],
      ["+", "", "present, number unknown"],
      ["0", "", "looked: none there"],
      ["?", "unknown", "no information"],
      ["+", "transient-only", "only passing through (not counted)"],
      ["1", "stale", "stale: older than the type's freshness horizon"],
      ["1", "leaving", "leaving: loading, departing or being dismantled"],
      ["5", "cluster-badge", "several sites, added up"],
    ];
    for (const [label, className, text] of rows) {
      const row = el("div", null, "legend-row");
      const sample = el("span", label, "site-badge legend-badge " + className);
      if (className !== "cluster-badge") sample.style.background = "#555";
      row.appendChild(sample);
      row.appendChild(el("span", " " + text));
      box.appendChild(row);
    }
  }
  legend.addTo(map);

  // A marker says what is known (posture_label) and how: stale, leaving, nothing known, or
  // only assets passing through. Icons are shared by every site that looks the same: ten
  // thousand sites need a few hundred. Their HTML holds only the label (digits, "+" or "?",
  // checked here), class names and palette colours, never user text.
  const LABEL = /^(\d+\+?|\+|\?)$/;
  const icons = new Map();
  function markerLook(p) {
    const transientOnly = p.posture_label === "?" && p.transient_types > 0;
    const classes = [];
    if (transientOnly) classes.push("transient-only");
    else if (p.posture_label === "?") classes.push("unknown");
    if (p.stale) classes.push("stale");
    if (p.leaving_types > 0) classes.push("leaving");
    const label = transientOnly ? "+" : LABEL.test(p.posture_label) ? p.posture_label : "?";
    return { label: label, classes: classes.join(" ") };
  }

  function markerIcon(feature) {
    const p = feature.properties;
    const look = markerLook(p);
    const colour = operatorColour[p.operator] || "#555";
    const total = p.posture_total || 0;
    const key = [look.label, look.classes, colour, total].join("|");
    if (!icons.has(key)) {
      const size = Math.round(26 + 8 * Math.log2(1 + total));
      const style = "background:" + colour + ";width:" + size + "px;height:" + size + "px;line-height:" + size + "px";
      const html = '<span class="site-badge ' + look.classes + '" style="' + style + '">' + look.label + "</span>";
      icons.set(key, L.divIcon({ html: html, className: "site-marker", iconSize: [size, size] }));
    }
    return icons.get(key);
  }

  // The map loads each site's total only (posture=total): ten thousand sites stay a
  // small download. A popup fetches its one site's posture at the map's date when opened.
  function popupFor(feature, popup) {
    const p = feature.properties;
    const date = currentState.as_of;
    const box = el("div", null, "site-popup");
    const title = el("a", p.name);
    // The site page opens on the map's date.
    title.href = config.siteUrl.replace("__slug__", encodeURIComponent(feature.id)) + "?as_of=" + date;
    box.appendChild(el("strong")).appendChild(title);
    box.appendChild(el("div", (config.kinds[p.kind] || p.kind) + " · " + (config.countries[p.host_country] || p.host_country), "muted"));
    const posture = box.appendChild(el("p", "Loading the posture…", "muted"));
    const url = config.siteApiUrl.replace("__slug__", encodeURIComponent(feature.id));
    fetchJson(url + "?" + new URLSearchParams({ as_of: date }))
      .then(function (site) {
        posture.replaceWith(postureBox(p, shownEntries(site.properties.posture), date));
      })
      .catch(function (error) {
        posture.textContent = "Could not load the posture: " + error.message;
      })
      .finally(function () {
        box.dataset.loaded = "true";
        popup.update(); // its size changed
      });
    return box;
  }

  // The popup names what the marker counts: with an asset filter, those assets only.
  function shownEntries(entries) {
    if (!currentState.category) return entries;
    return entries.filter(function (entry) {
      return entry.category === currentState.category;
    });
  }

  function postureBox(summary, entries, date) {
    const box = el("div", null, "popup-posture");
    box.appendChild(el("p", summaryText(summary, date)));
    const based = entries.filter(function (entry) {
      return entry.presence === "based";
    });
    const passing = entries.filter(function (entry) {
      return entry.presence !== "based";
    });
    if (based.length) box.appendChild(postureTable(based));
    if (passing.length) {
      box.appendChild(el("div", "Also seen, passing through (not counted):", "muted"));
      box.appendChild(postureTable(passing));
    }
    return box;
  }

  function summaryText(p, date) {
    if (p.posture_label === "?") return "Based here on " + date + ": no information.";
    const words = ["Based here on " + date + ": " + p.posture_label];
    if (p.leaving_types) words.push(p.leaving_types + " type" + (p.leaving_types > 1 ? "s" : "") + " leaving");
    if (p.stale) words.push("all stale");
    else if (p.stale_types) words.push(p.stale_types + " stale");
    return words.join(", ") + ".";
  }

  function postureTable(entries) {
    const table = el("table", null, "posture-table");
    for (const entry of entries) {
      const row = table.insertRow();
      if (entry.stale) row.className = "stale";
      row.insertCell().textContent = entry.asset_type_name;
      row.insertCell().textContent = countText(entry);
      const activity = entry.activity === "present" ? "" : (config.activities[entry.activity] || entry.activity) + ", ";
      const seen = "last seen " + entry.observed + " (" + ageText(entry.age_days) + ")";
      row.insertCell().textContent = activity + seen + (entry.stale ? ", stale" : "");
    }
    return table;
  }

  function arrowDefs(path) {
    // One SVG arrowhead, shared by every movement line (marker-end).
    const svg = path.ownerSVGElement;
    if (!svg || svg.getElementById("movement-arrow")) return;
    const ns = "http://www.w3.org/2000/svg";
    const defs = document.createElementNS(ns, "defs");
    const marker = document.createElementNS(ns, "marker");
    marker.setAttribute("id", "movement-arrow");
    marker.setAttribute("viewBox", "0 0 10 10");
    marker.setAttribute("refX", "9");
    marker.setAttribute("refY", "5");
    marker.setAttribute("markerWidth", "7");
    marker.setAttribute("markerHeight", "7");
    marker.setAttribute("orient", "auto");
    const head = document.createElementNS(ns, "path");
    head.setAttribute("d", "M0,0 L10,5 L0,10 z");
    head.setAttribute("fill", "#7d3c98");
    marker.appendChild(head);
    defs.appendChild(marker);
    svg.insertBefore(defs, svg.firstChild);
  }

  function movementPopup(feature) {
    const p = feature.properties;
    const box = el("div", null, "movement-popup");
    box.appendChild(el("strong", (siteNames[p.origin] || p.origin) + " → " + (siteNames[p.destination] || p.destination)));
    const what = (p.count === null ? "" : p.count + " × ") + p.asset_type;
    box.appendChild(el("div", what));
    box.appendChild(el("div", "departed " + (p.departed || "?") + ", arrived " + (p.arrived || "?"), "muted"));
    return box;
  }

  // --- loading --------------------------------------------------------------------

  let currentState = initial;
  const siteNames = {};
  let loading = null; // the AbortController of the newest load

  // The server caps page_size at what it will deliver in one page and gives a `next`
  // link for the rest, which fetchAllPages follows: asking for a lot saves round trips.
  function apiParams(state) {
    const params = new URLSearchParams({ as_of: state.as_of, page_size: "10000" });
    for (const name of ["operator", "host_country", "kind", "category", "q"]) {
      if (state[name]) params.set(name, state[name]);
    }
    return params;
  }

  function showMessage(text) {
    message.textContent = text || "";
    message.hidden = !text;
  }

  function idOf(feature) {
    return feature.id;
  }

  // Nothing is drawn until every page of sites and movements has arrived; the body's data-*
  // attributes then say what is drawn (tests and bench/map_page.py wait for them).
  async function load(state) {
    currentState = state;
    if (loading) loading.abort(); // a newer date or filter: the older answer is not wanted
    const mine = new AbortController();
    loading = mine;
    document.body.dataset.loading = "true";
    const to = parseDate(state.as_of);
    const from = new Date(to - (parseInt(state.period || "30", 10) - 1) * DAY);
    const moves = new URLSearchParams({ from: isoDate(from), to: state.as_of, page_size: "1000" });
    try {
      const [sites, movements] = await Promise.all([
        fetchSites(state, mine.signal),
        fetchAllPages(config.movementsUrl + "?" + moves, "features", idOf, mine.signal),
      ]);
      if (mine !== loading) return; // a newer date was chosen meanwhile
      if (sites.totals) redrawTotals(sites.totals);
      else drawSites(sites.features);
      drawnFilters = filtersOf(state);
      drawMovements(movements);
      document.body.dataset.sites = String(siteMarkers.length);
      document.body.dataset.movements = String(movements.length);
      document.body.dataset.date = state.as_of;
      if (!siteMarkers.length) showMessage("No sites match these filters.");
      else if (to < earliest) showMessage("No observations before " + config.earliest + ": pick a later date.");
      else showMessage("");
    } catch (error) {
      if (mine !== loading) return;
      mine.abort(); // the other list's remaining pages are of no use now
      // Nothing of this load is drawn: what was drawn before stays, and says which date it is.
      const shown = document.body.dataset.date;
      showMessage("Could not load the map data: " + error.message + (shown ? " The map still shows " + shown + "." : ""));
    } finally {
      if (mine === loading) document.body.dataset.loading = "false";
    }
  }

  // When only the date changed, the totals alone ({totals}) redraw the map: a tenth of
  // the features' size. Where the sites differ at the new date (a category filter),
  // the features are fetched after all ({features}).
  async function fetchSites(state, signal) {
    if (siteMarkers.length && filtersOf(state) === drawnFilters) {
      const url = config.siteTotalsUrl + "?" + apiParams(state);
      const totals = await fetchAllPages(url, "results", function (row) { return row.site; }, signal);
      const same =
        totals.length === siteMarkers.length &&
        totals.every(function (row, index) {
          return siteMarkers[index].feature.id === row.site;
        });
      if (same) return { totals: totals };
    }
    const params = apiParams(state);
    params.set("posture", "total");
    return { features: await fetchAllPages(config.sitesUrl + "?" + params, "features", idOf, signal) };
  }

  function filtersOf(state) {
    const params = apiParams(state);
    params.delete("as_of");
    return params.toString();
  }

  let siteMarkers = [];
  let drawnFilters = null;

  function drawSites(features) {
    map.closePopup(); // it shows the posture of the previous date
    clusters.clearLayers();
    siteMarkers = features.map(siteMarker);
    clusters.addLayers(siteMarkers);
    for (const feature of features) siteNames[feature.id] = feature.properties.name;
  }

  // Another date, the same sites: the markers and the cluster tree stay; changed icons are redrawn.
  function redrawTotals(totals) {
    map.closePopup();
    totals.forEach(function (row, index) {
      const marker = siteMarkers[index];
      const before = markerIcon(marker.feature);
      Object.assign(marker.feature.properties, row);
      const after = markerIcon(marker.feature);
      if (after !== before) marker.setIcon(after);
    });
    clusters.refreshClusters();
  }

  function siteMarker(feature) {
    const [lng, lat] = feature.geometry.coordinates;
    const marker = L.marker([lat, lng], {
      icon: markerIcon(feature),
      title: feature.properties.name,
      alt: feature.properties.name,
      keyboard: true,
    });
    marker.feature = feature;
    // Content made on opening (not a content function: Leaflet calls that again on every update()).
    marker.bindPopup("");
    marker.on("popupopen", function (event) {
      event.popup.setContent(popupFor(marker.feature, event.popup));
    });
    return marker;
  }

  function drawMovements(features) {
    movementLayer.clearLayers();
    for (const feature of features) {
      const line = L.polyline(
        feature.geometry.coordinates.map(function (c) {
          return [c[1], c[0]];
        }),
        { color: "#7d3c98", weight: 3, opacity: 0.8, dashArray: "6 6", className: "movement-line" }
      );
      line.bindPopup(function () {
        return movementPopup(feature);
      });
      line.bindTooltip(function () {
        return movementPopup(feature);
      }, { sticky: true });
      line.addTo(movementLayer);
      const path = line.getElement();
      arrowDefs(path);
      path.setAttribute("marker-end", "url(#movement-arrow)");
    }
  }

  // --- controls -------------------------------------------------------------------

  function commit(state) {
    history.pushState(null, "", stateUrl(state));
    load(state);
  }

  slider.addEventListener("input", function () {
    dateInput.value = isoDate(new Date(earliest.getTime() + parseInt(slider.value, 10) * DAY));
  });
  slider.addEventListener("change", function () {
    commit(controlsToState());
  });
  form.addEventListener("change", function (event) {
    if (event.target === slider) return;
    if (event.target === dateInput) {
      const date = parseDate(dateInput.value);
      if (!date) return;
      slider.value = String(Math.round((date - earliest) / DAY));
    }
    commit(controlsToState());
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    commit(controlsToState());
  });

  function step(days) {
    const wanted = parseDate(dateInput.value).getTime() + days * DAY;
    const date = new Date(Math.min(today.getTime(), Math.max(earliest.getTime(), wanted)));
    dateInput.value = isoDate(date);
    slider.value = String(Math.round((date - earliest) / DAY));
    commit(controlsToState());
    return date < today;
  }

  let player = null;
  const playButton = document.getElementById("play");
  function stopPlaying() {
    clearInterval(player);
    player = null;
    playButton.textContent = "▶ Play";
    playButton.setAttribute("aria-pressed", "false");
  }
  playButton.addEventListener("click", function () {
    if (player) return stopPlaying();
    if (parseDate(dateInput.value) >= today) {
      dateInput.value = config.earliest;
    }
    playButton.textContent = "❚❚ Pause";
    playButton.setAttribute("aria-pressed", "true");
    player = setInterval(function () {
      if (!step(7)) stopPlaying();
    }, 700);
  });
  document.getElementById("step-back").addEventListener("click", function () {
    step(-1);
  });
  document.getElementById("step-forward").addEventListener("click", function () {
    step(1);
  });

  map.on("moveend", function () {
    history.replaceState(null, "", stateUrl(currentState));
  });
  window.addEventListener("popstate", function () {
    const state = readState();
    stateToControls(state);
    if (state.view) map.setView([state.view.lat, state.view.lng], state.view.zoom);
    load(state);
  });

  window.basewatchMap = map; // for tests and the curious
  stateToControls(initial);
  history.replaceState(null, "", stateUrl(initial));
  load(initial);
})();

// The map page: every site's posture at a date, movements over the period before it, and an
// asset's track when one is searched for (map-movements.js draws the movement lines,
// map-search.js the search field's list, map-track.js the track).
// All state (date, filters, asset, map view) lives in the URL, so a view can be shared and
// the back button steps through changes. User text only ever reaches the page
// through textContent (common.js's `el`).
(function () {
  "use strict";

  const { DAY, el, parseDate, isoDate, fetchJson, fetchAllPages } = window.basewatch;
  const { markerLook, unknownLook, postureBox } = window.basewatch.posture;
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const form = document.getElementById("map-controls");
  const slider = document.getElementById("date-slider");
  const dateInput = document.getElementById("date-input");
  const stepSelect = document.getElementById("step");
  const controlsToggle = document.getElementById("controls-toggle");
  const message = document.getElementById("map-message");
  const FILTERS = ["operator", "host_country", "kind", "category", "q", "period"];
  // Names show under the sites that stand alone from this zoom on; further out they would
  // cover the map, and the sites crowd into clusters anyway.
  const LABEL_ZOOM = 6;
  const SEARCH_MAX_ZOOM = 8; // a search's sites are brought into view, no closer than a region
  const PALETTE = ["#c0392b", "#2471a3", "#1e8449", "#b9770e", "#7d3c98", "#117a65", "#a04000", "#2e4053"];

  // A badge grows with the assets it counts, by their logarithm, up to a cap: clusters stand
  // 40 px apart (maxClusterRadius), and with ten thousand sites uncapped ones grew to 130 px
  // and covered each other and their numbers.
  function badgeSize(base, total) {
    return Math.round(Math.min(base + 6 * Math.log2(1 + total), base + 24));
  }

  // A cluster's sum in at most five characters ("151K", "1.2M" above 99,999); its title says it exactly.
  const compact = new Intl.NumberFormat("en", { notation: "compact" });
  function clusterCount(total) {
    return total > 99999 ? compact.format(total) : String(total);
  }

  const earliest = parseDate(config.earliest);

  // --- time -----------------------------------------------------------------------

  // The slider's stops, a step from a date, and ▶ Play's frames (map-time.js).
  const { stops, stopIndex, stepFrom, play: playFrom } = window.basewatch.mapTime(config, stepSelect);
  slider.max = String(stops.length - 1);

  // What makes `text` not a date the map takes, or "" (front.views.map_day reads the address alike).
  function dateProblem(text) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return "Write the date as YYYY-MM-DD, for example " + config.latest + ".";
    if (!parseDate(text)) return text + " is not a date: that month has no such day.";
    if (text < config.firstAllowed) return "Give a date from " + config.firstAllowed + " on."; // lib.dates.EARLIEST_DATE
    return "";
  }

  // What the map says, once drawn, about the date it took instead of the one asked for.
  let dateNote = "";

  // A date after today is read as today (nothing is known of later days), and the map says so.
  function notAfterToday(text) {
    if (text <= config.today) return text;
    dateNote = text + " is after today: the map shows today, " + config.today + ".";
    return config.today;
  }

  // The date field as typed: YYYY-MM-DD, a later date read as today; null (and said what is
  // wrong) if it is not a date the map takes.
  function typedDate() {
    const text = dateInput.value.trim();
    const problem = dateProblem(text);
    dateInput.setAttribute("aria-invalid", String(Boolean(problem)));
    if (problem) {
      showMessage(problem);
      return null;
    }
    return notAfterToday(text);
  }

  // --- state <-> URL --------------------------------------------------------------

  // The date is `as_of`, as in the API. Links shared before it had that name say `date`:
  // they still open on their date, and the URL written back says `as_of`.
  function readState() {
    const params = new URLSearchParams(window.location.search);
    const asked = params.get("as_of") || params.get("date");
    const problem = asked && dateProblem(asked);
    const state = { as_of: config.latest };
    if (problem) dateNote = "The address's date is not one the map takes (" + problem + ") It shows the newest data, " + config.latest + ".";
    else if (asked) state.as_of = notAfterToday(asked);
    for (const name of FILTERS) state[name] = params.get(name) || "";
    // A period the map does not offer is its default, as the server's first_load_urls reads it
    // (front.views.MAP_PERIODS, which the select's options come from).
    const periods = Array.from(form.elements.period.options, function (option) { return option.value; });
    if (!periods.includes(state.period)) state.period = "";
    state.asset = params.get("asset") || "";
    const lat = parseFloat(params.get("lat"));
    const lng = parseFloat(params.get("lng"));
    const zoom = parseInt(params.get("z"), 10);
    if (isFinite(lat) && isFinite(lng) && isFinite(zoom)) state.view = { lat, lng, zoom };
    return state;
  }

  // The filters that are set, in a fixed order: in the URL, and in body[data-filters] once drawn.
  function filterParams(state) {
    const params = new URLSearchParams();
    for (const name of FILTERS) if (state[name]) params.set(name, state[name]);
    return params;
  }

  function stateUrl(state) {
    const params = new URLSearchParams({ as_of: state.as_of });
    for (const [name, value] of filterParams(state)) params.set(name, value);
    if (state.asset) params.set("asset", state.asset);
    const centre = map.getCenter();
    params.set("lat", centre.lat.toFixed(4));
    params.set("lng", centre.lng.toFixed(4));
    params.set("z", String(map.getZoom()));
    return "?" + params.toString();
  }

  function sameState(a, b) {
    return a.as_of === b.as_of && a.asset === b.asset && FILTERS.every(function (name) {
      return a[name] === b[name];
    });
  }

  function controlsToState() {
    const state = { as_of: typedDate() || currentState.as_of, asset: currentState.asset };
    for (const name of FILTERS) state[name] = form.elements[name].value.trim();
    return state;
  }

  function stateToControls(state) {
    dateInput.value = state.as_of;
    dateInput.removeAttribute("aria-invalid");
    slider.value = String(stopIndex(state.as_of));
    for (const name of FILTERS) form.elements[name].value = state[name];
    summariseControls(state);
    showKmlLink(state);
  }

  // The sites drawn, as KML for Google Earth: the date and the sites filters (not the movements' period).
  const kmlLink = document.getElementById("sites-kml");
  function showKmlLink(state) {
    const params = filterParams(state);
    params.delete("period");
    params.set("as_of", state.as_of);
    params.set("format", "kml");
    kmlLink.href = config.sitesUrl + "?" + params.toString();
  }

  // The button that unfolds the controls on a phone says what they are set to.
  function summariseControls(state) {
    const count = Array.from(filterParams(state).keys()).length;
    const filters = count === 1 ? " · 1 filter" : count ? " · " + count + " filters" : "";
    controlsToggle.textContent = "Date & filters: " + state.as_of + filters;
  }

  // --- map ------------------------------------------------------------------------

  const initial = readState();
  // maxZoom: the clusters need one (every site stands alone at it), and with tiles switched
  // off no tile layer sets it.
  const map = L.map("map", { worldCopyJump: true, maxZoom: config.maxZoom });
  if (initial.view) map.setView([initial.view.lat, initial.view.lng], initial.view.zoom);
  else map.setView(config.center, config.zoom);

  window.basewatch.basemap(map, config.tiles);

  // A cluster is labelled as one site holding what its sites hold, ringed (core.posture's
  // posture_label, the rule a site's label follows): its count, with "+" when some types are
  // present in unknown numbers; "+" alone when nothing is counted but something is present
  // ("0+" would read as none there); where nothing based is known at any, what a site says
  // then (posture.js unknownLook): "+" dashed when assets pass through, "?" otherwise. Its icon
  // is shared by every cluster that looks the same (mapClusters redraws one whose icon changed).
  const clusterIcons = new Map();
  const counted = new Intl.NumberFormat("en");
  function clusterIcon(indexes) {
    let total = 0;
    let countedTypes = 0;
    let uncountedTypes = 0;
    let absentTypes = 0;
    let transientTypes = 0;
    for (const index of indexes) {
      const p = sites[index].properties;
      total += p.posture_total || 0;
      countedTypes += p.counted_types;
      uncountedTypes += p.uncounted_types;
      absentTypes += p.absent_types;
      transientTypes += p.transient_types;
    }
    const known = countedTypes + uncountedTypes + absentTypes > 0;
    let look = { label: clusterCount(total), classes: "" };
    if (!known) look = unknownLook(transientTypes);
    else if (uncountedTypes > 0) look.label = countedTypes === 0 ? "+" : look.label + "+";
    let title = indexes.length + " sites";
    if (known) title += ", " + counted.format(total) + " assets counted";
    else if (transientTypes > 0) title += ", only passing through (not counted)";
    const key = look.label + "|" + look.classes + "|" + title;
    if (!clusterIcons.has(key)) {
      // HTML of digits, "+", "?", compact-notation letters, class names and fixed words only; an
      // element would move from marker to marker, a string is copied into each.
      const size = badgeSize(30, total);
      const style = "width:" + size + "px;height:" + size + "px;line-height:" + size + "px";
      const html = '<span class="site-badge cluster-badge ' + look.classes + '" title="' + title + '" style="' + style + '">' + look.label + "</span>";
      clusterIcons.set(key, L.divIcon({ html: html, className: "site-marker", iconSize: [size, size] }));
    }
    return clusterIcons.get(key);
  }

  const siteNames = {};
  const movements = window.basewatch.mapMovements(map, config, siteNames);
  const movementLayer = L.layerGroup();
  map.addLayer(movementLayer);
  const track = window.basewatch.mapTrack(map, config, movements, function () {
    commit(Object.assign({}, currentState, { asset: "" }));
  });
  const clusters = window.basewatch.mapClusters(map, {
    radius: 40,
    siteMarker: siteMarker,
    clusterIcon: clusterIcon,
  });

  const operatorColour = {};
  config.operators.forEach(function (operator, index) {
    operatorColour[operator.code] = PALETTE[index % PALETTE.length];
  });

  // Every colour and symbol the map draws, explained (map-legend.js).
  const legend = window.basewatch.mapLegend(config.operators, operatorColour, LABEL_ZOOM);
  legend.addTo(map);

  // A marker says what is known and how (posture.js markerLook). Icons are shared by every
  // site that looks the same: ten thousand sites need a few hundred. Their HTML holds only the
  // label (digits, "+" or "?", checked there), class names and palette colours, never user text.
  const icons = new Map();
  function markerIcon(feature) {
    const p = feature.properties;
    const look = markerLook(p);
    const colour = operatorColour[p.operator] || "#555";
    const total = p.posture_total || 0;
    const key = [look.label, look.classes, colour, total].join("|");
    if (!icons.has(key)) {
      const size = badgeSize(26, total);
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
        posture.replaceWith(postureBox(p, shownEntries(site.properties.posture), date, config.activities));
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

  // --- loading --------------------------------------------------------------------

  let currentState = initial;
  let loading = null; // the AbortController of the newest load
  let loadRunning = false; // until the newest load has drawn or failed
  let loadDone = Promise.resolve(); // settles when the newest load has drawn or failed

  // The server caps page_size at what it will deliver in one page and gives a `next`
  // link for the rest, which fetchAllPages follows: asking for a lot saves round trips.
  function apiParams(state) {
    const params = new URLSearchParams({ as_of: state.as_of, page_size: "10000" });
    for (const name of ["operator", "host_country", "kind", "category", "q"]) {
      if (state[name]) params.set(name, state[name]);
    }
    return params;
  }

  // Movements in the period before the date that leave or reach a site the filters show (the
  // API matches one end against all of them), so no arrow points at a site filtered out.
  // `from`, `to`: another span of days (a play's window) instead.
  function movementParams(state, from, to) {
    const first = from || isoDate(new Date(parseDate(state.as_of) - (periodDays(state) - 1) * DAY));
    const params = new URLSearchParams({ from: first, to: to || state.as_of, page_size: "1000" });
    for (const name of ["operator", "host_country", "kind", "category"]) {
      if (state[name]) params.set(name, state[name]);
    }
    if (state.q) params.set("site_q", state.q);
    return params;
  }

  function periodDays(state) {
    return parseInt(state.period || "30", 10);
  }

  function showMessage(text) {
    message.textContent = text || "";
    message.hidden = !text;
  }

  function idOf(feature) {
    return feature.id;
  }

  // Nothing is drawn until every page of sites and movements has arrived; the body's data-*
  // attributes then say what is drawn (tests and bench/map_page.py wait for them). The
  // asset's track (map-track.js) loads alongside, once per asset, whatever the date.
  // `fit`: after drawing, show what was searched for ("sites" found, an asset's "track").
  function load(state, fit) {
    loadDone = loadAndDraw(state, fit);
    return loadDone;
  }

  async function loadAndDraw(state, fit) {
    currentState = state;
    if (loading) loading.abort(); // a newer date or filter: the older answer is not wanted
    const mine = new AbortController();
    loading = mine;
    document.body.dataset.loading = "true";
    loadRunning = true;
    const trackDrawn = track.show(state.asset, fit === "track"); // says its own errors in its panel
    try {
      const [answer, movements] = await Promise.all([
        fetchSites(state, mine.signal),
        fetchAllPages(config.movementsUrl + "?" + movementParams(state), "features", idOf, mine.signal),
      ]);
      if (mine !== loading) return; // a newer date was chosen meanwhile
      if (answer.totals) redrawTotals(answer.totals);
      else drawSites(answer.features);
      if (fit === "sites" && sites.length) fitToSites();
      drawnFilters = filtersOf(state);
      drawMovements(movements);
      await trackDrawn;
      if (mine !== loading) return;
      showDrawn(state, movements.length);
    } catch (error) {
      if (mine !== loading) return;
      mine.abort(); // the other list's remaining pages are of no use now
      // Nothing of this load is drawn: what was drawn before stays, and says which date it is.
      const shown = document.body.dataset.date;
      showMessage("Could not load the map data: " + error.message + (shown ? " The map still shows " + shown + "." : ""));
      dateNote = ""; // it was about the date not drawn
    } finally {
      if (mine === loading) {
        document.body.dataset.loading = "false";
        loadRunning = false;
      }
    }
  }

  // What is drawn, said in the body's data-* attributes and the message.
  function showDrawn(state, movementCount) {
    document.body.dataset.sites = String(sites.length);
    document.body.dataset.movements = String(movementCount);
    document.body.dataset.date = state.as_of;
    legend.showDate(state);
    document.body.dataset.filters = filterParams(state).toString();
    let said = "";
    if (!sites.length) said = "No sites match these filters.";
    else if (parseDate(state.as_of) < earliest) said = "No observations before " + config.earliest + ": pick a later date.";
    showMessage([dateNote, said].filter(Boolean).join(" "));
    dateNote = "";
  }

  // The sites at the state's date, from the site table: each site's place, names and posture
  // summary in a row of values, a quarter of the sites list's bytes. When only the date
  // changed ({totals}), the markers and clusters stay and take the new summaries, and the
  // table's summary columns are all that is asked for (half its bytes, and a fifth less of the
  // server's time for 10,000 sites); otherwise, or where the sites differ at the new date (a
  // category filter picks the sites holding it that day), they are drawn afresh ({features}).
  async function fetchSites(state, signal) {
    const params = apiParams(state);
    const sameFilters = filtersOf(state) === drawnFilters;
    if (sameFilters && !state.category) {
      params.set("columns", "summary");
      const summaries = await fetchAllPages(config.siteTableUrl + "?" + params, "rows", idOf, signal, sitesOfPage);
      if (areDrawn(summaries.map(idOf))) return { totals: summaries };
      // Sites were added or removed meanwhile: all of them, drawn afresh. (Only which sites,
      // in what order, is checked: a name or operator edited meanwhile shows on the next
      // filter change or load, as a moved site always has.)
      params.delete("columns");
    }
    const found = await fetchAllPages(config.siteTableUrl + "?" + params, "rows", idOf, signal, sitesOfPage);
    return sameFilters && areDrawn(found.map(idOf)) ? { totals: found } : { features: found };
  }

  // Whether the sites `slugs` are the sites drawn, in the same order.
  function areDrawn(slugs) {
    return (
      slugs.length === sites.length &&
      slugs.every(function (slug, index) {
        return sites[index].id === slug;
      })
    );
  }

  // A page of the site table as the map keeps sites, in the shape of GeoJSON features:
  // {id, geometry: {coordinates}, properties: every column by the name in `fields`} (no
  // coordinates from the summary columns: those only restyle sites already placed).
  function sitesOfPage(page) {
    return page.rows.map(function (row) {
      const properties = {};
      page.fields.forEach(function (name, index) {
        properties[name] = row[index];
      });
      const { site, longitude, latitude } = properties;
      return { id: site, geometry: { coordinates: [longitude, latitude] }, properties: properties };
    });
  }

  function filtersOf(state) {
    const params = apiParams(state);
    params.delete("as_of");
    return params.toString();
  }

  let sites = []; // the sites drawn, as GeoJSON features, in the API's order
  let markers = []; // their markers, each made when first in view
  let drawnFilters = null;

  function drawSites(features) {
    map.closePopup(); // it shows the posture of the previous date
    sites = features;
    markers = new Array(features.length);
    clusters.setSites(features.map(function (feature) {
      return feature.geometry.coordinates;
    }));
    for (const feature of features) siteNames[feature.id] = feature.properties.name;
  }

  // Another date, the same sites: changed icons are redrawn, and the clusters' sums made again.
  function redrawTotals(found) {
    map.closePopup();
    let changed = false;
    found.forEach(function (site, index) {
      changed = setSummary(index, site.properties) || changed;
    });
    if (changed) clusters.refresh();
  }

  // Site `index`'s new summary (`summary`: its fields by name); true when it changed what the
  // site looks like (and so, maybe, its cluster's sum).
  function setSummary(index, summary) {
    const feature = sites[index];
    const marker = markers[index];
    if (!marker) {
      // Not made yet, as most of ten thousand are: it is made with the icon of its time, so
      // no icon is worked out now (twice per site, that was 20 ms of a date change).
      const changed = Object.keys(summary).some(function (name) {
        return feature.properties[name] !== summary[name];
      });
      Object.assign(feature.properties, summary);
      return changed;
    }
    const before = markerIcon(feature);
    Object.assign(feature.properties, summary);
    const after = markerIcon(feature);
    if (after === before) return false;
    if (!marker.getElement()) {
      // Off the map: the icon is kept for when it is shown again.
      // (Leaflet's setIcon would also bind its popup again: thousands of times a date change.)
      marker.options.icon = after;
      return true;
    }
    marker.setIcon(after);
    nameUnder(marker);
    return true;
  }

  // Site `index`'s marker, made the first time it is in view (mapClusters asks).
  function siteMarker(index) {
    if (!markers[index]) markers[index] = newSiteMarker(sites[index]);
    return markers[index];
  }

  function newSiteMarker(feature) {
    const [lng, lat] = feature.geometry.coordinates;
    const marker = L.marker([lat, lng], {
      icon: markerIcon(feature),
      title: feature.properties.name,
      alt: feature.properties.name,
      keyboard: true,
    });
    marker.feature = feature;
    marker.on("add", function () {
      nameUnder(marker);
    });
    // Content made on opening (not a content function: Leaflet calls that again on every update()).
    marker.bindPopup("", movements.POPUP);
    marker.on("popupopen", function (event) {
      event.popup.setContent(popupFor(marker.feature, event.popup));
    });
    return marker;
  }

  // A site's name, inside its icon's element: CSS hangs it under the badge, whatever the
  // badge's size, and hides it until the map is zoomed in (showLabels). (A Leaflet tooltip per
  // site measured the page each time one was shown: 290 ms for the 1,200 sites in view at
  // tier M's first draw.) Leaflet makes the element afresh when the marker is added and
  // rewrites it when its icon changes: each time the name is put back.
  function nameUnder(marker) {
    marker.getElement().appendChild(el("span", marker.feature.properties.name, "site-label"));
  }

  function showLabels() {
    map.getContainer().classList.toggle("show-labels", map.getZoom() >= LABEL_ZOOM);
  }

  function fitToSites() {
    const places = sites.map(function (feature) {
      const [lng, lat] = feature.geometry.coordinates;
      return [lat, lng];
    });
    map.fitBounds(L.latLngBounds(places), { maxZoom: SEARCH_MAX_ZOOM, padding: [30, 30] });
  }

  // `keep`: the lines of movements still shown stay as drawn (a play's next frame, from the
  // same answer); otherwise all are drawn afresh from this answer.
  const movementLines = new Map(); // movement id -> its layer
  function drawMovements(features, keep) {
    const shown = new Set(features.map(idOf));
    for (const [id, line] of movementLines) {
      if (keep && shown.has(id)) continue;
      movementLayer.removeLayer(line);
      movementLines.delete(id);
    }
    const look = { colour: "#7d3c98", className: "movement-line", dashArray: "6 6", arrow: "movement-arrow" };
    for (const feature of features) {
      if (movementLines.has(feature.id)) continue;
      const line = movements.movementLine(feature, look);
      movementLines.set(feature.id, line);
      movementLayer.addLayer(line);
    }
  }

  // --- controls -------------------------------------------------------------------

  function commit(state) {
    if (player) stopPlayingAndSay(); // the play's entry keeps the date it stopped at
    stateToControls(state); // the slider at the typed date's stop, a later date shown as today
    // A change that leaves the state as it is (the same text searched again) finds nothing new to show.
    if (sameState(state, currentState)) {
      if (dateNote && !loadRunning) showMessage(dateNote); // a later date typed while today is shown
      if (!loadRunning) dateNote = "";
      return;
    }
    const fit = state.asset && state.asset !== currentState.asset ? "track" : state.q && state.q !== currentState.q ? "sites" : "";
    history.pushState(null, "", stateUrl(state));
    load(state, fit);
  }

  slider.addEventListener("input", function () {
    dateInput.value = stops[parseInt(slider.value, 10)];
  });
  slider.addEventListener("change", function () {
    commit(controlsToState());
  });
  form.addEventListener("change", function (event) {
    if (event.target === slider || event.target === stepSelect) return;
    if (event.target === dateInput && !typedDate()) return;
    commitSearch(controlsToState());
  });
  // The form has no submit button, so Enter in a field fires change, not submit; should it be
  // submitted all the same (a script, an extension), the page must not reload.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search.hide();
    commitSearch(controlsToState());
  });

  // A new search text that is exactly one asset's registration, hex, hull, MMSI or IMO shows that
  // asset's track (the sites stay as they were); any other text searches the sites. Calls for the
  // same text (a change, then a submit) wait for the one look-up of that text.
  let lookup = null; // {q, promise} of the newest look-up
  function commitSearch(state) {
    if (!state.q || state.q === currentState.q) return commit(state);
    if (!lookup || lookup.q !== state.q) {
      document.body.dataset.loading = "true"; // what is drawn is about to change
      lookup = { q: state.q, promise: search.exactAsset(state.q).catch(function () { return ""; }) };
    }
    const mine = lookup;
    mine.promise.then(function (key) {
      if (lookup !== mine) return; // another text was searched for meanwhile
      const next = key ? Object.assign({}, state, { q: currentState.q, asset: key }) : state;
      if (key) foldControls();
      if (sameState(next, currentState)) document.body.dataset.loading = String(loadRunning);
      commit(next);
    });
  }

  const search = window.basewatch.mapSearch(config, form.elements.q, function (pick) {
    foldControls(); // on a phone: the map, with what was picked, rather than the controls over it
    const state = controlsToState();
    if (pick.asset) commit(Object.assign(state, { q: currentState.q, asset: pick.asset }));
    else commit(Object.assign(state, { q: pick.site }));
  });

  controlsToggle.addEventListener("click", function () {
    controlsToggle.setAttribute("aria-expanded", String(form.classList.toggle("open")));
  });

  function foldControls() {
    form.classList.remove("open");
    controlsToggle.setAttribute("aria-expanded", "false");
  }

  function step(direction) {
    const day = stepFrom(currentState.as_of, direction);
    if (day === currentState.as_of) return;
    dateInput.value = day;
    commit(controlsToState());
  }
  document.getElementById("step-back").addEventListener("click", function () {
    step(-1);
  });
  document.getElementById("step-forward").addEventListener("click", function () {
    step(1);
  });

  // ▶ Play tells the story from its start: from the first data date when the map shows the
  // last one or later, else from where it is; a step per frame until today, a frame every
  // FRAME_MS, or longer when there are few (frameMs; later when one is slow). The frames come
  // from map-play.js, fetched ahead a window at a time, and are drawn from memory: only the
  // icons that change are redrawn. With a category filter the sites themselves change from
  // date to date, and each frame is loaded as a date change is. A play is one history entry:
  // pushed as it starts, replaced at each frame (Back then returns to where the play began).
  const FRAME_MS = 150;
  // The steps of a play share PLAY_MS, each lasting from FRAME_MS to SLOW_FRAME_MS: the demo's
  // six frames went by in under a second, each too briefly to read (now 1.2 s each).
  const PLAY_MS = 8000;
  const SLOW_FRAME_MS = 1200;
  const playButton = document.getElementById("play");
  let player = null; // the play going on; stopPlaying() lets go of it, and its loop ends

  async function play() {
    const mine = {};
    player = mine;
    playButton.textContent = "❚❚ Pause";
    playButton.setAttribute("aria-pressed", "true");
    const lastData = config.dates[config.dates.length - 1];
    let state = Object.assign({}, currentState);
    if (lastData && state.as_of >= lastData) state.as_of = stops[0];
    stateToControls(state);
    history.pushState(null, "", stateUrl(state));
    try {
      if (state.category) await playByLoading(mine, state);
      else await playFrames(mine, state);
    } catch (error) {
      if (player !== mine || error.name === "AbortError") return;
      const shown = document.body.dataset.date;
      showMessage("Could not load the map data: " + error.message + (shown ? " The map still shows " + shown + "." : ""));
    }
    if (player === mine) stopPlayingAndSay();
  }

  // How long each frame of a play from `first` stays: PLAY_MS shared by the steps to today,
  // within FRAME_MS and SLOW_FRAME_MS (counting stops once there are enough for FRAME_MS).
  function frameMs(first) {
    let frames = 0;
    for (let day = first; frames < PLAY_MS / FRAME_MS; frames++) {
      const next = stepFrom(day, 1);
      if (next === day) break; // today
      day = next;
    }
    return Math.min(SLOW_FRAME_MS, Math.max(FRAME_MS, PLAY_MS / Math.max(frames, 1)));
  }

  async function playFrames(mine, state) {
    if (loadRunning) await loadDone; // the sites the frames redraw
    const perFrame = frameMs(state.as_of);
    const controller = new AbortController();
    mine.abort = function () { controller.abort(); };
    const query = apiParams(state);
    query.delete("as_of");
    const source = playFrom(
      state.as_of,
      function (day) { return stepFrom(day, 1); },
      query,
      function (from, to) { return movementParams(state, from, to); },
      periodDays(state),
      controller.signal
    );
    let due = performance.now();
    let written = due;
    for (;;) {
      const frame = await source.next();
      if (player !== mine || !frame) return;
      state = Object.assign({}, state, { as_of: frame.day });
      if (!drawFrame(state, frame)) await load(state); // the sites changed meanwhile
      if (player !== mine) return;
      stateToControls(state);
      // The address bar follows once a second (each write costs the browser more than a
      // frame's drawing); the play's end, a pause or a change writes where it stopped.
      if (performance.now() - written >= 1000) {
        history.replaceState(null, "", stateUrl(state));
        written = performance.now();
      }
      due = Math.max(due + perFrame, performance.now());
      await new Promise(function (resolve) { setTimeout(resolve, due - performance.now()); });
    }
  }

  // A frame over the drawn sites: false (nothing drawn) if they are not the frame's sites.
  function drawFrame(state, frame) {
    if (!areDrawn(frame.sites) || filtersOf(state) !== drawnFilters) return false;
    document.body.dataset.loading = "true"; // what is drawn changes (and says so when done)
    if (frame.changes.length) map.closePopup(); // it shows the posture of the previous date
    let changed = false;
    for (const change of frame.changes) {
      const summary = {};
      frame.fields.forEach(function (name, index) {
        summary[name] = change[index + 1];
      });
      changed = setSummary(change[0], summary) || changed;
    }
    if (changed) clusters.refresh();
    if (frame.movementsChanged) drawMovements(frame.movements, true);
    currentState = state;
    showDrawn(state, frame.movements.length);
    document.body.dataset.loading = "false";
    return true;
  }

  async function playByLoading(mine, state) {
    const perFrame = frameMs(state.as_of);
    for (;;) {
      await load(state);
      await new Promise(function (resolve) {
        setTimeout(resolve, perFrame);
      });
      if (player !== mine) return;
      const day = stepFrom(state.as_of, 1);
      if (day === state.as_of) return; // today
      state = Object.assign({}, state, { as_of: day });
      stateToControls(state);
      history.replaceState(null, "", stateUrl(state));
    }
  }

  function stopPlaying() {
    if (player && player.abort) player.abort(); // the frames still loading are not wanted
    player = null;
    playButton.textContent = "▶ Play";
    playButton.setAttribute("aria-pressed", "false");
  }

  // A play stopped by a pause, a change or its end: the address bar says the date drawn.
  function stopPlayingAndSay() {
    stopPlaying();
    history.replaceState(null, "", stateUrl(currentState));
  }

  playButton.addEventListener("click", function () {
    if (player) stopPlayingAndSay();
    else play();
  });

  map.on("zoomend", showLabels);
  map.on("moveend", function () {
    history.replaceState(null, "", stateUrl(currentState));
  });
  window.addEventListener("popstate", function () {
    stopPlaying();
    const state = readState();
    // Before setView: its moveend writes the URL from currentState, which must be this state,
    // not the one the map is leaving (the address bar would show a step later than the map).
    currentState = state;
    stateToControls(state);
    if (state.view) map.setView([state.view.lat, state.view.lng], state.view.zoom);
    load(state);
  });

  window.basewatchMap = map; // for tests and the curious
  stateToControls(initial);
  showLabels();
  history.replaceState(null, "", stateUrl(initial));
  // A shared view stays as it was shared.
  load(initial, initial.view ? "" : initial.asset ? "track" : initial.q ? "sites" : "");
})();

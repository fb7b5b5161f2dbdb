// The map's legend: every colour and symbol the map draws, explained, built with textContent.
// It folds away behind its button. On a phone, where it would cover the map, it starts folded;
// elsewhere it starts as the reader last left it in this browser (open the first time): open,
// it covers a fifth of a 1280 × 800 map, and a reader who knows the symbols folds it once, not
// on every visit.
window.basewatch.mapLegend = function (operators, operatorColour, labelZoom) {
  "use strict";

  const { el } = window.basewatch;
  const { postureLegend } = window.basewatch.posture;
  const PHONE = window.matchMedia("(max-width: 640px)");
  const legendDates = {}; // the texts that name the map's date, rewritten on every draw
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    const box = el("div", null, "map-legend");
    const toggle = box.appendChild(el("button", "Legend", "legend-toggle"));
    toggle.type = "button";
    const body = box.appendChild(el("div", null, "legend-body"));
    body.id = "legend-body";
    toggle.setAttribute("aria-controls", body.id);
    toggle.addEventListener("click", function () {
      foldLegend(toggle, body, !body.hidden);
      if (!PHONE.matches) storeFolded(body.hidden);
    });
    foldLegend(toggle, body, PHONE.matches || storedFolded());

    body.appendChild(el("strong", "Sites, by operator"));
    for (const operator of operators) {
      const swatch = el("span", null, "swatch");
      swatch.style.background = operatorColour[operator.code];
      body.appendChild(legendRow(swatch, el("span", operator.name)));
    }
    // Until the first draw names its date (showDate).
    legendDates.site = el("span", "a site: the assets counted there on the map's date");
    body.appendChild(legendRow(el("span", "5", "site-badge legend-site"), legendDates.site));
    const cluster = el("span", "12", "site-badge cluster-badge");
    body.appendChild(legendRow(cluster, el("span", "sites close together, their assets added up (click to zoom in)")));
    legendDates.movement = el("span", "assets moved in the days before the map's date");
    body.appendChild(legendRow(movementSymbol(), legendDates.movement));
    for (const [sample, text] of postureLegend()) body.appendChild(legendRow(sample, text));
    body.appendChild(el("div", "Names show under the sites from zoom " + labelZoom + ".", "muted"));
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };

  const STORED = "basewatch.legend"; // "folded" or "open"

  function storedFolded() {
    try {
      return window.localStorage.getItem(STORED) === "folded";
    } catch {
      return false; // storage refused (a private window's setting): open, as the first time
    }
  }

  function storeFolded(folded) {
    try {
      window.localStorage.setItem(STORED, folded ? "folded" : "open");
    } catch {
      // not kept: the next visit opens it again
    }
  }

  function foldLegend(toggle, body, folded) {
    body.hidden = folded;
    toggle.setAttribute("aria-expanded", String(!folded));
  }

  function legendRow(symbol, text) {
    const row = el("div", null, "legend-row");
    row.appendChild(symbol);
    row.appendChild(text);
    return row;
  }

  // A dashed line with arrowheads at its middle and near its end, as map-movements.js draws them.
  function movementSymbol() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 36 12");
    svg.setAttribute("class", "legend-movement");
    svg.setAttribute("aria-hidden", "true");
    const line = svg.appendChild(document.createElementNS(ns, "path"));
    line.setAttribute("d", "M1,6 H35");
    line.setAttribute("stroke", "#7d3c98");
    line.setAttribute("stroke-width", "3");
    line.setAttribute("stroke-dasharray", "6 4");
    const head = svg.appendChild(document.createElementNS(ns, "path"));
    head.setAttribute("d", "M10,1 L18,6 L10,11 z M26,1 L34,6 L26,11 z");
    head.setAttribute("fill", "#7d3c98");
    head.setAttribute("stroke", "#fff");
    return svg;
  }

  // The date and period the map shows, in the rows that name them.
  legend.showDate = function (state) {
    legendDates.site.textContent = "a site: the assets counted there on " + state.as_of;
    const days = state.period || "30";
    legendDates.movement.textContent = "assets moved in the " + days + " days to " + state.as_of;
  };

  return legend;
};

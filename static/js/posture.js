// Posture as the pages show it: a site's marker, its popup's table, the legend's rows. The
// words are core.posture's (count_text, age_text; README "How posture is computed"), and user
// text only ever reaches the page through textContent (common.js's `el`).
window.basewatch.posture = (function () {
  "use strict";

  const { el } = window.basewatch;

  // An entry's count in words, as core.posture.count_text says it.
  function countText(entry) {
    if (entry.status === "uncounted") return "present, count unknown";
    if (entry.status === "absent") return "absent";
    const low = entry.count_low;
    const high = entry.count_high;
    if (low === null && high === null) return String(entry.count);
    return entry.count + " (" + (low === null ? "?" : low) + "–" + (high === null ? "?" : high) + ")";
  }

  // How long before the posture date an entry was seen, as core.posture.age_text says it.
  function ageText(days) {
    if (days <= 0) return "that day";
    if (days < 60) return days + (days === 1 ? " day" : " days") + " earlier";
    if (days < 730) return Math.floor(days / 30) + " months earlier";
    return Math.floor(days / 365) + " years earlier";
  }

  // When an entry was last seen, as core.posture.seen_text says it: a week's or a month's
  // observation names its period ("last seen week of 2024-12-09 (6 days earlier)").
  function seenText(entry) {
    const day = entry.observed_precision === "day" ? entry.observed : entry.observed_precision + " of " + entry.observed;
    return "last seen " + day + " (" + ageText(entry.age_days) + ")";
  }

  // A marker's label and classes from a site's posture summary: what is known (the label:
  // digits, "+" or "?", nothing else reaches the marker's HTML) and how (stale, leaving,
  // nothing known, or only assets passing through, shown "+" in a dashed ring). core.posture's
  // badge says the same for the pages (the map adds "leaving").
  const LABEL = /^(\d+\+?|\+|\?)$/;
  function markerLook(p) {
    const classes = [];
    let label = LABEL.test(p.posture_label) ? p.posture_label : "?";
    if (p.posture_label === "?") {
      const look = unknownLook(p.transient_types);
      label = look.label;
      classes.push(look.classes);
    }
    if (p.stale) classes.push("stale");
    if (p.leaving_types > 0) classes.push("leaving");
    return { label: label, classes: classes.join(" ") };
  }

  // Where nothing based is known (a site, or a cluster of sites): "+" in a dashed ring when
  // `transientTypes` types pass through, "?" otherwise.
  function unknownLook(transientTypes) {
    return transientTypes > 0 ? { label: "+", classes: "transient-only" } : { label: "?", classes: "unknown" };
  }

  // A popup's posture: the summary in a sentence, the based entries, then those passing through.
  function postureBox(summary, entries, date, activities) {
    const box = el("div", null, "popup-posture");
    box.appendChild(el("p", summaryText(summary, date)));
    const based = entries.filter(function (entry) {
      return entry.presence === "based";
    });
    const passing = entries.filter(function (entry) {
      return entry.presence !== "based";
    });
    if (based.length) box.appendChild(postureTable(based, activities));
    if (passing.length) {
      box.appendChild(el("div", "Also seen, passing through (not counted):", "muted"));
      box.appendChild(postureTable(passing, activities));
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

  function postureTable(entries, activities) {
    const table = el("table", null, "posture-table");
    for (const entry of entries) {
      const row = table.insertRow();
      if (entry.stale) row.className = "stale";
      row.insertCell().textContent = entry.asset_type_name;
      row.insertCell().textContent = countText(entry);
      const activity = entry.activity === "present" ? "" : (activities[entry.activity] || entry.activity) + ", ";
      row.insertCell().textContent = activity + seenText(entry) + (entry.stale ? ", stale" : "");
    }
    return table;
  }

  // The legend's rows for what a site's number and look say: [sample badge, text] pairs.
  function postureLegend() {
    const rows = [
      ["3", "", "3 counted"],
      ["3+", "", "3 counted, and more types present, count unknown"],
      ["+", "", "present, count unknown"],
      ["0", "", "looked: none there"],
      ["?", "unknown", "no information"],
      ["+", "transient-only", "only passing through (not counted)"],
      ["1", "stale", "stale: older than the type's freshness horizon"],
      ["1", "leaving", "leaving: loading, departing or being dismantled"],
    ];
    const heading = [el("strong", "A site's number: assets based there"), el("span")];
    return [heading].concat(
      rows.map(function ([label, look, text]) {
        return [el("span", label, "site-badge legend-badge " + look), el("span", text)];
      })
    );
  }

  return { countText, ageText, seenText, markerLook, unknownLook, postureBox, postureLegend };
})();

// The site page: a small map of the site, and its counts over time as step lines.
// Clicking a point shows that observation and its sources (built with textContent).
(function () {
  "use strict";

  const { DAY, el, parseDate, isoDate } = window.basewatch;
  const data = JSON.parse(document.getElementById("site-chart").textContent);
  const COLOURS = ["#c0392b", "#2471a3", "#1e8449", "#b9770e", "#7d3c98", "#117a65", "#a04000", "#2e4053"];

  // The chart's x axis counts days (since 1970-01-01): whole numbers, one per calendar day.
  function dayNumber(iso) {
    return parseDate(iso) / DAY;
  }

  function isoDay(number) {
    return isoDate(new Date(number * DAY));
  }

  // --- small map ------------------------------------------------------------------
  const [lng, lat] = data.location;
  const map = L.map("site-map", { scrollWheelZoom: false }).setView([lat, lng], 12);
  window.basewatch.basemap(map, data.tiles);
  L.circleMarker([lat, lng], { radius: 8, color: "#c0392b", weight: 3 }).addTo(map);
  if (data.footprint) {
    const outline = L.geoJSON(data.footprint, { style: { color: "#c0392b", weight: 2, fillOpacity: 0.1 } });
    outline.addTo(map);
    map.fitBounds(outline.getBounds(), { maxZoom: 15 });
  }

  // --- chart ----------------------------------------------------------------------
  const canvas = document.getElementById("counts-chart");
  if (!canvas) return;

  // The time axis spans the observations with some room after the last, up to today,
  // so a story told over weeks is not squeezed against years of "no change since".
  const days = data.series.flatMap(function (series) {
    return series.points.map(function (point) {
      return dayNumber(point.date);
    });
  });
  const first = Math.min.apply(null, days);
  const lastSeen = Math.max.apply(null, days);
  const axisEnd = Math.min(dayNumber(data.today), lastSeen + Math.max(14, Math.round((lastSeen - first) * 0.3)));
  const axisStart = first - Math.max(3, Math.round((axisEnd - first) * 0.05));

  // A point with no count (presence only) sits on the level before it, drawn hollow.
  const datasets = data.series.map(function (series, index) {
    let level = 0;
    const points = series.points.map(function (point) {
      const known = point.count !== null;
      if (known) level = point.count;
      return { x: dayNumber(point.date), y: level, known: known, low: point.low, high: point.high, id: point.id };
    });
    const last = points[points.length - 1];
    if (last.x < axisEnd) points.push({ x: axisEnd, y: last.y, known: last.known, id: null }); // the level holds
    const colour = COLOURS[index % COLOURS.length];
    return {
      label: series.label,
      data: points,
      stepped: true,
      borderColor: colour,
      backgroundColor: colour,
      pointStyle: points.map(function (p) {
        return p.known ? "circle" : "rectRot";
      }),
      pointRadius: points.map(function (p) {
        return p.id === null ? 0 : 5;
      }),
      pointBackgroundColor: points.map(function (p) {
        return p.known ? colour : "#fff";
      }),
    };
  });

  // Low–high estimates as vertical bars through their points.
  const rangeBars = {
    id: "rangeBars",
    afterDatasetsDraw: function (chart) {
      const ctx = chart.ctx;
      const y = chart.scales.y;
      chart.data.datasets.forEach(function (dataset, index) {
        chart.getDatasetMeta(index).data.forEach(function (element, i) {
          const point = dataset.data[i];
          if (point.low === null && point.high === null) return;
          if (point.low === undefined) return;
          const top = y.getPixelForValue(point.high === null ? point.y : point.high);
          const bottom = y.getPixelForValue(point.low === null ? point.y : point.low);
          ctx.save();
          ctx.strokeStyle = dataset.borderColor;
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(element.x, top);
          ctx.lineTo(element.x, bottom);
          ctx.moveTo(element.x - 4, top);
          ctx.lineTo(element.x + 4, top);
          ctx.moveTo(element.x - 4, bottom);
          ctx.lineTo(element.x + 4, bottom);
          ctx.stroke();
          ctx.restore();
        });
      });
    },
  };

  const detail = document.getElementById("observation-detail");

  function showObservation(id) {
    const observation = data.observations[id];
    if (!observation) return;
    detail.replaceChildren();
    const count = observation.count === null ? "present, count unknown" : observation.count;
    detail.appendChild(el("strong", observation.date + ": " + count + " (" + observation.activity + ")"));
    detail.appendChild(el("div", "Credibility " + observation.credibility, "muted"));
    if (observation.notes) detail.appendChild(el("p", observation.notes));
    const list = el("ul", null, "sources");
    for (const source of observation.sources) {
      const item = el("li");
      if (/^https?:\/\//i.test(source.url)) {
        const link = el("a", source.title);
        link.href = source.url;
        link.rel = "noopener noreferrer nofollow";
        item.appendChild(link);
      } else {
        item.appendChild(el("span", source.title));
      }
      const about = [source.publisher || "publisher unknown", source.published || "undated", "reliability " + source.reliability];
      item.appendChild(el("span", " — " + about.join(", "), "muted"));
      list.appendChild(item);
    }
    detail.appendChild(list);
    const row = el("a", "Show in the table");
    row.href = "#observation-" + id;
    detail.appendChild(row);
    detail.hidden = false;
  }

  const chart = new Chart(canvas, {
    type: "line",
    data: { datasets: datasets },
    plugins: [rangeBars],
    options: {
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      scales: {
        x: { type: "linear", min: axisStart, max: axisEnd, ticks: { callback: isoDay, maxTicksLimit: 8 } },
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Count" } },
      },
      plugins: {
        tooltip: {
          callbacks: {
            title: function (items) {
              return isoDay(items[0].parsed.x);
            },
            label: function (item) {
              const point = item.raw;
              if (point.id === null) return item.dataset.label + ": " + point.y + " (latest)";
              const observation = data.observations[point.id];
              const count = point.known ? point.y : "present, count unknown";
              return item.dataset.label + ": " + count + " — " + observation.activity;
            },
          },
        },
      },
      onClick: function (event, elements) {
        const hit = elements.find(function (element) {
          return chart.data.datasets[element.datasetIndex].data[element.index].id !== null;
        });
        if (hit) showObservation(chart.data.datasets[hit.datasetIndex].data[hit.index].id);
      },
    },
  });
  document.body.dataset.chartSeries = String(datasets.length);
  window.basewatchChart = chart; // for tests and the curious
})();

// The site page: a small map of the site, and its counts over time (what is drawn is
// described below, and in words under the chart). Clicking a point shows that observation
// and its sources (built with textContent).
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
  // What the chart draws, as the explanation under it says (templates/front/site.html):
  // - a series with counts is a step line on the count plot: each count holds until the
  //   series' next point, "absent" drops it to 0 (✕), a stretch of unknown count breaks it;
  // - a series without counts, or with stretches of unknown count, has a row of its own
  //   (a lane) under the count plot: a band while present, ✕ where absent. Never a line at
  //   0, and one row per series, so two such series cannot hide each other;
  // - the total of the based series' counts is a wide grey step line behind them; transient
  //   series (passing through) are dotted with hollow points, and not in the total;
  // - ▼ marks leaving (loading, departing, being dismantled), ▲ arriving;
  // - once a point is older than its asset type's freshness horizon and nothing newer is
  //   known, its line or band is faded and dashed (stale, as core.posture says);
  // - a vertical line marks the posture date (`as_of`).
  const canvas = document.getElementById("counts-chart");
  if (!canvas) return;

  // The server chose the span (front.views._chart_span): the observations, some room
  // after them, and the posture date.
  const axisStart = dayNumber(data.start);
  const axisEnd = dayNumber(data.end);
  const asOf = dayNumber(data.as_of);
  const LANE_HEIGHT = 30; // pixels per lane: its label over its band

  function faded(colour, alpha) {
    const n = parseInt(colour.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function has(points, status) {
    return points.some(function (point) {
      return point.status === status;
    });
  }

  const series = data.series.map(function (one, index) {
    const points = one.points.map(function (point) {
      return Object.assign({ x: dayNumber(point.date) }, point);
    });
    return {
      label: one.label,
      transient: one.presence === "transient",
      fresh: one.fresh_days,
      colour: COLOURS[index % COLOURS.length],
      points: points,
      counted: has(points, "counted"),
      lane: !has(points, "counted") || has(points, "uncounted"),
    };
  });
  const counted = [];
  const lanes = [];
  for (const one of series) {
    if (one.counted) counted.push(one);
    if (one.lane) one.laneIndex = lanes.push(one) - 1;
  }

  // The first day a point of series `one` is stale: core.posture calls an entry stale once it
  // is more than its type's fresh_days old (tests/browser/test_site_chart.py checks the two agree).
  function staleFrom(point, one) {
    return point.x + one.fresh + 1;
  }

  // What each point holds: from it to the series' next point (or the axis end), in two
  // stretches when it goes stale on the way.
  function stretches(one) {
    const result = [];
    one.points.forEach(function (point, i) {
      const next = i + 1 < one.points.length ? one.points[i + 1].x : axisEnd;
      const staleDay = staleFrom(point, one);
      if (staleDay < next) {
        result.push({ point: point, from: point.x, to: staleDay, stale: false });
        result.push({ point: point, from: staleDay, to: next, stale: true });
      } else {
        result.push({ point: point, from: point.x, to: next, stale: false });
      }
    });
    return result;
  }

  // A chart item: where it is drawn (x, y), the observation it shows (`point`, `id`; none
  // for the corners a step line needs), and how the line from it to the next is drawn.
  function item(y, stretch, extra) {
    const own = stretch.from === stretch.point.x ? stretch.point : null;
    return Object.assign({ x: stretch.from, y: y, point: own, id: own ? own.id : null, stale: stretch.stale }, extra);
  }

  function countItems(one) {
    const items = [];
    let last = null;
    for (const stretch of stretches(one)) {
      const y = stretch.point.status === "uncounted" ? null : stretch.point.count;
      // An unknown count breaks the line: the count before it is drawn up to that point.
      if (y === null && last && last.y !== null) items.push(Object.assign({}, last, { x: stretch.from, point: null, id: null }));
      last = item(y, stretch, { low: stretch.point.low, high: stretch.point.high });
      if (y === null) Object.assign(last, { point: null, id: null }); // its lane shows it
      items.push(last);
    }
    if (last.y !== null && last.x < axisEnd) items.push(Object.assign({}, last, { x: axisEnd, point: null, id: null }));
    return items;
  }

  function laneItems(one) {
    const items = [];
    let last = null;
    for (const stretch of stretches(one)) {
      // The band lies in the lower part of its row, under the row's name.
      last = item(one.laneIndex + 0.2, stretch, { band: stretch.point.status !== "absent" });
      items.push(last);
    }
    if (last.x < axisEnd) items.push(Object.assign({}, last, { x: axisEnd, point: null, id: null }));
    return items;
  }

  function pointOptions(one) {
    function style(context) {
      const point = context.raw && context.raw.point;
      if (!point) return "circle";
      if (point.status === "absent") return "crossRot";
      return point.trend ? "triangle" : "circle";
    }
    return {
      pointStyle: style,
      pointRotation: function (context) {
        const point = context.raw && context.raw.point;
        return point && point.trend === "leaving" ? 180 : 0;
      },
      pointRadius: function (context) {
        if (!context.raw || !context.raw.point) return 0;
        return style(context) === "triangle" ? 7 : 5;
      },
      pointHoverRadius: function (context) {
        return context.raw && context.raw.point ? 8 : 0;
      },
      pointHitRadius: function (context) {
        return context.raw && context.raw.point ? 6 : 0;
      },
      pointBorderWidth: 2,
      pointBorderColor: one.colour,
      pointBackgroundColor: one.transient ? "#fff" : one.colour,
    };
  }

  // A segment is drawn as the item it starts from says.
  function segmentStyle(dataset, colour) {
    return {
      borderColor: function (context) {
        return colour(dataset.data[context.p0DataIndex]);
      },
      borderDash: function (context) {
        return dataset.data[context.p0DataIndex].stale ? [7, 5] : undefined;
      },
    };
  }

  const datasets = [];
  counted.forEach(function (one, index) {
    const dataset = Object.assign(
      {
        role: "count",
        label: one.label,
        transient: one.transient,
        data: countItems(one),
        yAxisID: "y",
        stepped: true,
        borderColor: one.colour,
        backgroundColor: one.colour,
        borderWidth: one.transient ? 2 : 2.5,
        borderDash: one.transient ? [2, 3] : [],
        spanGaps: false,
        order: 1,
        // Lines of equal counts would lie on each other: each is drawn a little higher.
        lift: Math.min(index, 4) * 2,
      },
      pointOptions(one),
    );
    dataset.segment = segmentStyle(dataset, function (from) {
      return from.stale ? faded(one.colour, 0.35) : one.colour;
    });
    datasets.push(dataset);
  });
  lanes.forEach(function (one) {
    const dataset = Object.assign(
      {
        role: "lane",
        label: one.label,
        transient: one.transient,
        data: laneItems(one),
        yAxisID: "lanes",
        borderColor: one.colour,
        backgroundColor: one.colour,
        borderWidth: one.transient ? 5 : 9,
        borderCapStyle: "butt",
        borderDash: one.transient ? [2, 3] : [],
        order: 1,
      },
      pointOptions(one),
    );
    dataset.segment = segmentStyle(dataset, function (from) {
      return from.band ? faded(one.colour, from.stale ? 0.2 : 0.5) : "rgba(0,0,0,0)";
    });
    datasets.push(dataset);
  });

  // The total: the based series' counts summed where any is known, stepping like them.
  // `plus`: a based type is present in unknown numbers then (the page's `3+`); `stale`:
  // every based entry then is stale (the page's label goes grey).
  const based = series.filter(function (one) {
    return !one.transient;
  });
  function latest(one, x) {
    let found = null;
    for (const point of one.points) if (point.x <= x) found = point;
    return found;
  }
  // From the first count of a based series on, at every point of one and where it goes stale.
  let firstCount = Infinity;
  const breaks = new Set();
  for (const one of based) {
    if (one.counted) firstCount = Math.min(firstCount, one.points[0].x);
    for (const point of one.points) breaks.add(point.x).add(staleFrom(point, one));
  }
  if (firstCount < Infinity) {
    const xs = Array.from(breaks)
      .filter(function (x) {
        return x >= firstCount && x <= axisEnd;
      })
      .sort(function (a, b) {
        return a - b;
      });
    const items = xs.map(function (x) {
      const total = { x: x, y: null, plus: false, stale: true, id: null, total: true };
      for (const one of based) {
        const point = latest(one, x);
        if (!point) continue;
        if (point.status === "uncounted") total.plus = true;
        else total.y = (total.y || 0) + point.count;
        if (x < staleFrom(point, one)) total.stale = false;
      }
      return total;
    });
    const last = items[items.length - 1];
    if (last.x < axisEnd) items.push(Object.assign({}, last, { x: axisEnd }));
    const dataset = {
      role: "total",
      label: "Total counted, based",
      data: items,
      yAxisID: "y",
      stepped: true,
      borderColor: "rgba(29,36,48,0.22)",
      backgroundColor: "rgba(29,36,48,0.22)",
      borderWidth: 8,
      pointRadius: 0,
      pointHoverRadius: 0,
      pointHitRadius: 4,
      order: 2, // drawn first, behind the series
    };
    dataset.segment = segmentStyle(dataset, function (from) {
      return from.stale ? "rgba(29,36,48,0.1)" : "rgba(29,36,48,0.22)";
    });
    datasets.push(dataset);
  }

  // Low–high estimates as vertical bars through their points.
  const rangeBars = {
    id: "rangeBars",
    afterDatasetsDraw: function (chart) {
      const ctx = chart.ctx;
      const y = chart.scales.y;
      chart.data.datasets.forEach(function (dataset, index) {
        if (dataset.role !== "count") return;
        chart.getDatasetMeta(index).data.forEach(function (element, i) {
          const point = dataset.data[i];
          if (!point.point || (point.low === null && point.high === null)) return;
          const top = y.getPixelForValue(point.high === null ? point.y : point.high) - dataset.lift;
          const bottom = y.getPixelForValue(point.low === null ? point.y : point.low) - dataset.lift;
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

  // Moves each count line up by its `lift` (the points too, so clicks find them).
  const lift = {
    id: "lift",
    afterDatasetUpdate: function (chart, args) {
      const dataset = chart.data.datasets[args.index];
      if (!dataset.lift) return;
      for (const element of args.meta.data) element.y -= dataset.lift;
    },
  };

  // The lanes' rows: a pale ground, and each row's name over its band.
  const laneRows = {
    id: "laneRows",
    beforeDatasetsDraw: function (chart) {
      const scale = chart.scales.lanes;
      if (!scale) return;
      const ctx = chart.ctx;
      const area = chart.chartArea;
      ctx.save();
      ctx.fillStyle = "rgba(29,36,48,0.045)";
      ctx.fillRect(area.left, scale.top, area.right - area.left, scale.bottom - scale.top);
      ctx.font = "12px system-ui, sans-serif";
      ctx.textBaseline = "top";
      for (const one of lanes) {
        const top = scale.getPixelForValue(one.laneIndex - 0.5);
        ctx.strokeStyle = "#d8dde5";
        ctx.beginPath();
        ctx.moveTo(area.left, top);
        ctx.lineTo(area.right, top);
        ctx.stroke();
        ctx.fillStyle = "#1d2430";
        const name = one.label + (one.transient ? " (passing through)" : "");
        ctx.fillText(fitText(ctx, name, area.right - area.left - 8), area.left + 4, top + 2);
      }
      ctx.restore();
    },
  };

  function fitText(ctx, text, width) {
    if (ctx.measureText(text).width <= width) return text;
    while (text.length > 1 && ctx.measureText(text + "…").width > width) text = text.slice(0, -1);
    return text + "…";
  }

  // The posture date: a vertical line through counts and lanes, labelled above the plot.
  const asOfLine = {
    id: "asOfLine",
    afterDatasetsDraw: function (chart, args, options) {
      const area = chart.chartArea;
      const x = chart.scales.x.getPixelForValue(asOf);
      if (x < area.left - 1 || x > area.right + 1) return;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = "#1d2430";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x, area.top - 4);
      ctx.lineTo(x, area.bottom);
      ctx.stroke();
      ctx.font = "600 12px system-ui, sans-serif";
      ctx.fillStyle = "#1d2430";
      ctx.textBaseline = "bottom";
      const width = ctx.measureText(options.label).width;
      ctx.fillText(options.label, Math.max(2, Math.min(x - width / 2, chart.width - width - 2)), area.top - 5);
      ctx.restore();
    },
  };

  // Time ticks: as many as fit without touching, on whole days, weeks or months.
  let tickFormat = "day";
  function timeTicks(scale) {
    const width = scale.chart.width - 50;
    const span = axisEnd - axisStart;
    for (const step of [1, 2, 7, 14]) {
      if (span / step <= Math.max(2, Math.floor(width / 95))) {
        tickFormat = "day";
        const ticks = [];
        // Weeks start on Mondays, as 1970-01-05 (day 4) did.
        const offset = step >= 7 ? 4 : 0;
        for (let day = Math.ceil((axisStart - offset) / step) * step + offset; day <= axisEnd; day += step) ticks.push({ value: day });
        return ticks;
      }
    }
    tickFormat = "month";
    const fit = Math.max(2, Math.floor(width / 70));
    const start = new Date(axisStart * DAY);
    const months = (axisEnd - axisStart) / 30.44;
    const step = [1, 2, 3, 6, 12, 24, 60, 120].find(function (candidate) {
      return months / candidate <= fit;
    }) || 120;
    const ticks = [];
    let index = start.getUTCFullYear() * 12 + start.getUTCMonth() + 1; // the first month start on the axis
    index = Math.ceil(index / step) * step;
    for (;;) {
      const day = Date.UTC(Math.floor(index / 12), index % 12, 1) / DAY;
      if (day > axisEnd) break;
      ticks.push({ value: day });
      index += step;
    }
    return ticks;
  }

  const countHeight = canvas.parentNode.clientWidth < 500 ? 170 : 220;
  const scales = {
    x: {
      type: "linear",
      min: axisStart,
      max: axisEnd,
      afterBuildTicks: function (scale) {
        scale.ticks = timeTicks(scale);
      },
      ticks: {
        maxRotation: 0,
        callback: function (value) {
          return tickFormat === "month" ? isoDay(value).slice(0, 7) : isoDay(value);
        },
      },
    },
  };
  if (lanes.length) {
    scales.lanes = {
      type: "linear",
      position: "left",
      stack: "site",
      stackWeight: lanes.length * LANE_HEIGHT,
      reverse: true,
      min: -0.5,
      max: lanes.length - 0.5,
      offset: false,
      grid: { display: false },
      ticks: { display: false },
      border: { display: false },
    };
  }
  if (counted.length) {
    const highest = Math.max.apply(
      null,
      counted.flatMap(function (one) {
        return one.points.map(function (point) {
          return Math.max(point.count || 0, point.high || 0);
        });
      }),
    );
    scales.y = {
      type: "linear",
      position: "left",
      stack: "site",
      stackWeight: countHeight,
      // Room under 0 so that a marker there (absent) is not cut by the lanes' edge.
      min: -0.3,
      suggestedMax: highest + 1,
      ticks: {
        precision: 0,
        includeBounds: false,
        callback: function (value) {
          return value < 0 ? "" : value;
        },
      },
      title: { display: true, text: "Count" },
    };
  }
  // And 60 pixels for the time axis and the posture date's label above the plot.
  canvas.parentNode.style.height = (counted.length ? countHeight : 0) + lanes.length * LANE_HEIGHT + 60 + "px";

  const detail = document.getElementById("observation-detail");

  function showObservation(id) {
    const observation = data.observations[id];
    if (!observation) return;
    detail.replaceChildren();
    const count = observation.count === null ? "present, count unknown" : observation.count;
    const date = observation.date + (observation.precision === "day" ? "" : " (" + observation.precision + ")");
    detail.appendChild(el("strong", date + ": " + count + " (" + observation.activity + ")"));
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

  function pointDate(point) {
    if (point.precision === "day") return point.date;
    return (point.precision === "month" ? point.date.slice(0, 7) : point.date) + " (" + point.precision + ")";
  }

  function describe(dataset, raw) {
    if (raw.total) {
      if (raw.y === null) return "Total counted, based: none counted";
      return "Total counted, based: " + raw.y + (raw.plus ? "+ (and types present, count unknown)" : "");
    }
    const point = raw.point;
    const words = [point.status === "uncounted" ? "present, count unknown" : point.status === "absent" ? "absent" : point.count, point.activity];
    if (point.trend) words.push(point.trend);
    if (dataset.transient) words.push("passing through");
    return dataset.label + ": " + words.join(", ");
  }

  const chart = new Chart(canvas, {
    type: "line",
    data: { datasets: datasets },
    plugins: [lift, laneRows, rangeBars, asOfLine],
    options: {
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      layout: { padding: { top: 20, right: 8 } },
      scales: scales,
      plugins: {
        legend: { display: false }, // the list above the chart says it in words
        asOfLine: { label: "as of " + data.as_of },
        tooltip: {
          filter: function (item) {
            return Boolean(item.raw.point || item.raw.total);
          },
          callbacks: {
            title: function (items) {
              const raw = items[0].raw;
              return raw.point ? pointDate(raw.point) : isoDay(raw.x);
            },
            label: function (item) {
              return describe(item.dataset, item.raw);
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

  // The legend: a line per count series and the total, drawn as on the chart.
  const legend = document.getElementById("chart-legend");
  for (const dataset of datasets) {
    if (dataset.role === "lane") continue;
    const entry = el("li", null, "chart-legend-" + dataset.role + (dataset.transient ? " transient" : ""));
    const swatch = el("span", null, "chart-swatch");
    swatch.style.borderTopColor = dataset.borderColor;
    entry.appendChild(swatch);
    entry.appendChild(el("span", dataset.label + (dataset.transient ? " — passing through, not in the total" : "")));
    legend.appendChild(entry);
  }
  legend.hidden = !legend.children.length;

  document.body.dataset.chartSeries = String(series.length);
  window.basewatchChart = chart; // for tests and the curious
})();

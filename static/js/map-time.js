// The map's time (map.js draws it): the slider's stops, where a step from a date lands, and
// ▶ Play's frames: for each date of a play, the sites whose posture summary changes by then
// and the movements shown then. Frames come a window at a time, each window in one request
// for every site's posture steps (/api/v1/site-steps/: a site's summary on a day is its
// latest step on or before it) and one for the movements over it, and the next window is
// fetched while this one plays: a frame is drawn from memory, not asked for.
window.basewatch.mapTime = function (config, stepSelect) {
  "use strict";

  const { DAY, parseDate, isoDate, fetchJson, fetchAllPages } = window.basewatch;

  // The slider stops on the days the data says something on (observations, departures,
  // arrivals) and ends today: the weeks a story is told over fill the slider instead of a
  // sliver of it beside years in which nothing changed. The date field takes any date.
  const stops = config.dates
    .filter(function (day) {
      return day < config.today;
    })
    .concat([config.today]);

  // The stop a date is shown at: the last one on or before it (the first, before them all).
  function stopIndex(day) {
    let index = 0;
    while (index + 1 < stops.length && stops[index + 1] <= day) index++;
    return index;
  }

  // Where a step back (-1) or forward (+1) from `day` lands with the chosen step: the previous
  // or next stop, or a day, week or month away. Never past today, and never further back
  // than the first data date (unless the map is already before it: then nowhere further).
  function stepFrom(day, direction) {
    if (stepSelect.value === "data") {
      const earlier = stops.filter(function (stop) { return stop < day; });
      const later = stops.filter(function (stop) { return stop > day; });
      return (direction > 0 ? later[0] : earlier[earlier.length - 1]) || day;
    }
    const date = parseDate(day);
    const days = stepSelect.value === "week" ? 7 : 1;
    const next = isoDate(stepSelect.value === "month" ? addMonths(date, direction) : new Date(date.getTime() + direction * days * DAY));
    const first = day < stops[0] ? day : stops[0];
    return next > config.today ? config.today : next < first ? first : next;
  }

  // A month after 31 January is the last day of February, not a day in March.
  function addMonths(date, months) {
    const moved = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
    const length = new Date(Date.UTC(moved.getUTCFullYear(), moved.getUTCMonth() + 1, 0)).getUTCDate();
    moved.setUTCDate(Math.min(date.getUTCDate(), length));
    return moved;
  }

  // --- ▶ Play's frames ------------------------------------------------------------

  const WINDOW_FRAMES = 60; // frames fetched at once: a dozen seconds of play
  const WINDOW_DAYS = 366; // the longest window the API answers

  function idOf(feature) {
    return feature.id;
  }

  // Every page of a window's steps, as one: the sites in order, and per day (in order) the
  // changes, each [site index, ...summary in `fields` order].
  async function fetchSteps(url, signal) {
    const sites = [];
    const byDay = new Map();
    let fields = null;
    let next = url;
    while (next) {
      const page = await fetchJson(next, signal);
      if (!Array.isArray(page.sites) || !Array.isArray(page.steps)) throw new Error("the server's answer was not posture steps");
      fields = page.fields;
      const offset = sites.length;
      for (const slug of page.sites) sites.push(slug);
      for (const step of page.steps) {
        if (!byDay.has(step.day)) byDay.set(step.day, []);
        const changes = byDay.get(step.day);
        for (const change of step.changes) {
          change[0] += offset;
          changes.push(change);
        }
      }
      next = page.next ? new URL(page.next, window.location.href) : null;
      if (next) next = next.pathname + next.search;
    }
    const days = Array.from(byDay.keys()).sort();
    return { sites: sites, fields: fields, steps: days.map(function (day) { return { day: day, changes: byDay.get(day) }; }) };
  }

  // Whether a movement's journey (departed to arrived, either alone when the other is not
  // known) overlaps [first, last], as the API's `from` and `to` read it.
  function moving(feature, first, last) {
    const p = feature.properties;
    const start = p.departed || p.arrived;
    const end = p.arrived || p.departed;
    return end >= first && start <= last;
  }

  // The frames of a play from the date `first`: `stepFrom(day)` is the next frame's date (the
  // same date at the end); `query` the sites filters (URLSearchParams); `movementQuery(from, to)`
  // the movements' for a period; `period` the days of movements a frame shows. next() resolves
  // to {day, sites, fields, changes, movements, movementsChanged}, or null after the last.
  function play(first, stepFrom, query, movementQuery, period, signal) {
    let upcoming = fetchWindow(first);
    let current = null;
    let position = 0; // the frame of `current` to give next
    let stepIndex = 0; // the first step of `current` not given yet
    let shown = null; // the ids of the movements of the frame given last

    function windowDays(day) {
      const days = [day];
      const limit = isoDate(new Date(parseDate(day).getTime() + (WINDOW_DAYS - 1) * DAY));
      while (days.length < WINDOW_FRAMES) {
        const after = stepFrom(days[days.length - 1]);
        if (after === days[days.length - 1] || after > limit) break;
        days.push(after);
      }
      return days;
    }

    async function fetchWindow(day) {
      const days = windowDays(day);
      const last = days[days.length - 1];
      const stepsQuery = new URLSearchParams(query);
      stepsQuery.set("from", day);
      stepsQuery.set("to", last);
      const since = isoDate(new Date(parseDate(day).getTime() - (period - 1) * DAY));
      const [steps, movements] = await Promise.all([
        fetchSteps(config.siteStepsUrl + "?" + stepsQuery, signal),
        fetchAllPages(config.movementsUrl + "?" + movementQuery(since, last), "features", idOf, signal),
      ]);
      return { days: days, steps: steps, movements: movements, next: stepFrom(last) === last ? null : stepFrom(last) };
    }

    async function next() {
      if (!current || position === current.days.length) {
        if (current && !current.next) return null;
        current = await upcoming;
        position = stepIndex = 0;
        // The next window loads while this one plays.
        upcoming = current.next ? fetchWindow(current.next) : null;
        if (upcoming) upcoming.catch(function () {}); // its error is reported when it is needed
      }
      const day = current.days[position++];
      const changes = [];
      const steps = current.steps.steps;
      while (stepIndex < steps.length && steps[stepIndex].day <= day) {
        for (const change of steps[stepIndex++].changes) changes.push(change);
      }
      const since = isoDate(new Date(parseDate(day).getTime() - (period - 1) * DAY));
      const movements = current.movements.filter(function (feature) {
        return moving(feature, since, day);
      });
      const ids = movements.map(idOf).join(",");
      const movementsChanged = ids !== shown;
      shown = ids;
      return {
        day: day,
        sites: current.steps.sites,
        fields: current.steps.fields,
        changes: changes,
        movements: movements,
        movementsChanged: movementsChanged,
      };
    }

    return { next: next };
  }

  return { stops: stops, stopIndex: stopIndex, stepFrom: stepFrom, play: play };
};

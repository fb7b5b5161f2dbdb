// Helpers the page scripts share (map.js, site.js, editor.js): a classic script loaded
// before them, because the pages run under `script-src 'self'` with no bundler.
// User text only ever reaches the page through textContent: `el` is the way in.
window.basewatch = (function () {
  "use strict";

  const DAY = 86400000;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  // Dates are calendar days (YYYY-MM-DD, as in the API), held as UTC midnights so that
  // adding DAY never lands on another day across a daylight-saving change.
  function parseDate(text) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    if (!match) return null;
    const date = new Date(Date.UTC(2000, +match[2] - 1, +match[3]));
    date.setUTCFullYear(+match[1]); // Date.UTC reads the years 0 to 99 as 1900 to 1999
    // Date.UTC rolls 2024-02-31 over to March: such a text is not a date.
    return isNaN(date) || date.getUTCDate() !== +match[3] ? null : date;
  }

  function isoDate(date) {
    return date.toISOString().slice(0, 10);
  }

  // The API's errors are JSON: {"detail": "…"} or {"field": ["message", …]}. A proxy's
  // error page is not, so the status stands in for it.
  function errorText(response, body) {
    if (!body || typeof body !== "object") return "HTTP " + response.status + (response.statusText ? " " + response.statusText : "");
    if (typeof body.detail === "string") return body.detail;
    return Object.entries(body)
      .map(function (pair) {
        const messages = [].concat(pair[1]).map(function (message) {
          return typeof message === "string" ? message : JSON.stringify(message);
        });
        return pair[0] + ": " + messages.join(" ");
      })
      .join("; ");
  }

  // GET a JSON answer; any failure is an Error whose message can be shown as it is.
  // `signal` (an AbortController's) cancels it: the caller then gets an AbortError.
  async function fetchJson(url, signal) {
    let response;
    try {
      response = await fetch(url, { headers: { Accept: "application/json" }, signal: signal });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new Error("the server could not be reached");
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      if (error.name === "AbortError") throw error;
      // Not JSON: reported below by status, or as a bad answer if the status was fine.
    }
    if (!response.ok) throw new Error(errorText(response, body));
    if (body === null) throw new Error("the server's answer was not JSON");
    return body;
  }

  // Every item of a paged list: follows `next` until it is null and returns the items
  // (`key`: "results", or "features" for a FeatureCollection) of all pages in order.
  //
  // Pages are numbered, so a site added or deleted between two requests shifts the rows
  // and one would be skipped or shown twice. Every page states the total `count`: if
  // it changes, or the distinct ids (`idOf`) collected do not add up to it, the pages
  // are read again from the first, and after a few tries the load fails rather than
  // show a map that silently lacks something.
  // `itemsOf(page)`: the page's items made into what the caller keeps (default: as they are).
  async function fetchAllPages(url, key, idOf, signal, itemsOf) {
    for (let attempt = 1; ; attempt++) {
      const read = await readPages(url, key, signal, itemsOf);
      if (read && new Set(read.items.map(idOf)).size === read.count && read.items.length === read.count) return read.items;
      if (attempt === 3) throw new Error("the data kept changing while it loaded; try again");
    }
  }

  // {items, count} of all pages, or null if the total count changed on the way.
  async function readPages(url, key, signal, itemsOf) {
    const items = [];
    let count = null;
    let next = url;
    while (next) {
      const page = await fetchJson(sameOrigin(next), signal);
      if (!Array.isArray(page[key]) || typeof page.count !== "number") throw new Error("the server's answer was not a page of " + key);
      if (count === null) count = page.count;
      else if (page.count !== count) return null;
      for (const item of itemsOf ? itemsOf(page) : page[key]) items.push(item);
      next = page.next;
    }
    return { items: items, count: count };
  }

  // `next` links are absolute URLs built by the server; behind a proxy that reports another
  // scheme or host they would point elsewhere (and connect-src 'self' blocks them). The
  // path and query are what the API means.
  function sameOrigin(link) {
    const url = new URL(link, window.location.href);
    return url.pathname + url.search;
  }

  return { DAY, el, parseDate, isoDate, fetchJson, fetchAllPages };
})();

// The map's search field finds sites and assets (map.js): as one types, a list under it shows
// the sites (name or alias, any script) and the assets (registration with or without its dash,
// ICAO hex, hull number, alias, operator) the API's `q` finds. Picking a site searches the map
// for it, as Enter does; picking an asset shows its track. Enter on a text that is exactly
// one asset's registration, hex, hull number, MMSI or IMO (RA-76845, ra76845, 152c2d) also
// shows its track. A combobox: focus stays in the field, the arrow keys move through the options.
window.basewatch.mapSearch = function (config, input, onPick) {
  "use strict";

  const { el, fetchJson } = window.basewatch;
  const SHOWN = 5; // options per kind
  const list = document.getElementById("search-results");
  let options = []; // [{element, pick: {site} | {asset}}]
  let active = -1;
  let typing = null; // the AbortController of the newest lookup as one types
  let timer = null;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  // Registrations and hex codes compared as people type them: any case, with or without dashes.
  function plain(text) {
    return (text || "").toUpperCase().replace(/[^0-9A-Z]/g, "");
  }

  function identity(asset) {
    return asset.registration || asset.hull_number || asset.icao_hex || asset.name || "#" + asset.id;
  }

  function lookUp(text, signal) {
    const query = new URLSearchParams({ q: text, page_size: String(SHOWN) });
    const sites = new URLSearchParams({ q: text, page_size: String(SHOWN), posture: "none" });
    return Promise.all([
      fetchJson(config.assetsUrl + "?" + query, signal),
      fetchJson(config.sitesUrl + "?" + sites, signal),
    ]).then(function ([assets, sites]) {
      return { assets: assets.results, sites: sites.features };
    });
  }

  // The key of the one asset whose registration, hex, hull number, MMSI or IMO is `text`, else "".
  async function exactAsset(text, signal) {
    const query = new URLSearchParams({ q: text, page_size: "20" });
    const found = (await fetchJson(config.assetsUrl + "?" + query, signal)).results.filter(function (asset) {
      return [asset.registration, asset.icao_hex, asset.hull_number, asset.mmsi, asset.imo].some(function (value) {
        return value && plain(value) === plain(text);
      });
    });
    return found.length === 1 ? found[0].key : "";
  }

  function showOptions(text, found) {
    list.replaceChildren();
    options = [];
    active = -1;
    addGroup("Assets", found.assets, function (asset) {
      const details = [asset.name, asset.operator, asset.icao_hex !== identity(asset) && asset.icao_hex]
        .filter(Boolean)
        .join(", ");
      return [identity(asset), details, { asset: asset.key }];
    });
    addGroup("Sites", found.sites, function (site) {
      const p = site.properties;
      const details = [config.kinds[p.kind] || p.kind, config.countries[p.host_country] || p.host_country];
      return [p.name, details.filter(Boolean).join(", "), { site: p.name }];
    });
    if (!options.length) list.appendChild(el("li", "No site or asset matches “" + text + "”.", "search-none"));
    setOpen(true);
  }

  function addGroup(heading, items, describe) {
    if (!items.length) return;
    const head = list.appendChild(el("li", heading, "search-group"));
    head.setAttribute("role", "presentation");
    for (const item of items) {
      const [name, details, pick] = describe(item);
      const option = list.appendChild(el("li", null, "search-option"));
      option.id = "search-option-" + options.length;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.appendChild(el("strong", name));
      if (details) option.appendChild(el("span", " " + details, "muted"));
      // mousedown: the field keeps its focus (a blur would search for the half-typed text).
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
      });
      option.addEventListener("click", function () {
        choose(pick);
      });
      options.push({ element: option, pick: pick });
    }
  }

  function setOpen(open) {
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    if (!open) {
      active = -1;
      input.removeAttribute("aria-activedescendant");
    }
  }

  function highlight(index) {
    options.forEach(function (option, i) {
      option.element.setAttribute("aria-selected", String(i === index));
    });
    active = index;
    if (index < 0) input.removeAttribute("aria-activedescendant");
    else input.setAttribute("aria-activedescendant", options[index].element.id);
  }

  function choose(pick) {
    hide();
    onPick(pick);
  }

  function hide() {
    clearTimeout(timer);
    if (typing) typing.abort();
    setOpen(false);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    if (typing) typing.abort();
    const text = input.value.trim();
    if (text.length < 2) {
      setOpen(false);
      return;
    }
    timer = setTimeout(function () {
      const mine = new AbortController();
      typing = mine;
      lookUp(text, mine.signal)
        .then(function (found) {
          if (typing === mine && document.activeElement === input) showOptions(text, found);
        })
        .catch(function () {
          // The list is a shortcut: Enter still searches, and says so if the server fails.
        });
    }, 250);
  });

  input.addEventListener("keydown", function (event) {
    if (list.hidden) {
      if (event.key === "Enter") hide(); // typed fast: the look-up still waiting must not open the list after
      return;
    }
    if (event.key === "Enter" && active >= 0) {
      event.preventDefault(); // not the form's submit: the option is what was chosen
      choose(options[active].pick);
    } else if (event.key === "Enter" || event.key === "Escape") {
      // Enter searches for the text as typed (the field's change event; the form has no submit
      // button, so it is not submitted): the list's options are of no use after it.
      hide();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && options.length) {
      event.preventDefault();
      const last = options.length - 1;
      if (event.key === "ArrowDown") highlight(active >= last ? 0 : active + 1);
      else highlight(active <= 0 ? last : active - 1);
    }
  });

  input.addEventListener("blur", hide);

  return { exactAsset: exactAsset, hide: hide };
};

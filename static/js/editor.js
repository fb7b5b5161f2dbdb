// Editor forms: searchable selects, more new-source blocks, the last-known-count hint.
// The forms work without it; this only saves typing and clicking.
(function () {
  "use strict";

  var el = window.basewatch.el;
  var fetchJson = window.basewatch.fetchJson;

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // A search box above each long select: typing hides options that do not match
  // (names and other spellings) and picks the first match in a single select.
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    var box = el("input", null, "select-search");
    box.type = "search";
    box.placeholder = "Type to search";
    var label = document.querySelector('label[for="' + select.id + '"]');
    box.setAttribute("aria-label", "Search " + (label ? label.textContent.replace("*", "").trim() : "options"));
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var query = normalise(box.value.trim());
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !query || (option.value !== "" && normalise(option.text).indexOf(query) !== -1);
        option.hidden = !match;
        if (match && option.value !== "" && first === null) first = option;
      });
      if (!select.multiple && first && query && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden)) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });

  // "Add another new source" copies the formset's empty form with the next index.
  var addButton = document.getElementById("add-source");
  var template = document.getElementById("new-source-template");
  if (addButton && template) {
    var total = document.getElementById("id_new_source-TOTAL_FORMS");
    var max = document.getElementById("id_new_source-MAX_NUM_FORMS");
    var update = function () {
      addButton.hidden = Number(total.value) >= Number(max.value);
    };
    addButton.addEventListener("click", function () {
      var index = Number(total.value);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      document.getElementById("new-sources").insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      update();
      var inserted = document.getElementById("id_new_source-" + index + "-kind");
      if (inserted) inserted.focus();
    });
    update();
  }

  // The site's last published count of the chosen asset type, as a hint.
  var hint = document.getElementById("last-count");
  var site = document.getElementById("id_site");
  var assetType = document.getElementById("id_asset_type");
  if (hint && site && assetType) {
    var refresh = function () {
      if (!site.value || !assetType.value) {
        hint.textContent = "";
        return;
      }
      var url = hint.dataset.url + "?site=" + encodeURIComponent(site.value) + "&asset_type=" + encodeURIComponent(assetType.value);
      // Only a hint: when it cannot be had, the form simply goes without it.
      fetchJson(url)
        .then(function (data) { hint.textContent = data.text || ""; })
        .catch(function () { hint.textContent = ""; });
    };
    site.addEventListener("change", refresh);
    assetType.addEventListener("change", refresh);
  }
})();

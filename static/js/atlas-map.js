/* Qingdao Project Atlas — map drawing. Places come from the site's shared places script
   (maps/places*.js) as the page's JSON data block per map selects them, with the words the page gives
   (see atlas/render/maps.py); the base map from geo/qingdao-geo*.js (districts, coastline, names).
   No network requests: everything is in the site. Popups are built from DOM text, never HTML strings,
   and only when first needed, so a map of ten thousand places starts quickly. */
(function () {
  "use strict";

  var GROUP_COLOURS = {
    advantage: "#b45309", emerging: "#1d4ed8", service: "#047857", unstated: "#4b5563", none: "#6b7280"
  };
  // Outline and fill tell the stage, so colour is never the only signal (see the legend).
  var STAGE_STYLES = {
    early: { fillOpacity: 0.08, dashArray: "4 3", weight: 2 },
    building: { fillOpacity: 0.5, dashArray: null, weight: 2 },
    done: { fillOpacity: 0.95, dashArray: null, weight: 2 },
    unknown: { fillOpacity: 0.25, dashArray: "1 3", weight: 2 }
  };
  var SEA = "#8fb8d8", LAND = "#fbf8ef", COAST = "#2f6f9f";
  var WATER_LINES = [[30, 0.16], [12, 0.35]];  // [width px, opacity], widest first
  var LABEL_GAP = 4;  // px kept between two district names
  var ROWS_PER_CHUNK = 20;  // text alternative rows built between checks of the idle deadline
  var registry = {};
  var parsed = {};

  function data(id) {
    if (!parsed[id]) { parsed[id] = JSON.parse(document.getElementById(id).textContent); }
    return parsed[id];
  }

  function entryFor(map) {
    var id = map.getContainer().id;
    if (!registry[id]) { registry[id] = { map: map, districts: {}, highlight: [], markers: [], ready: false }; }
    return registry[id];
  }

  function text(tag, content, className) {
    var el = document.createElement(tag);
    if (content !== undefined && content !== null) { el.textContent = content; }
    if (className) { el.className = className; }
    return el;
  }

  function escapeHtml(value) {
    return String(value).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  // The site's places come once, from the shared places script (window.ATLAS_PLACES: columns, lookup lists
  // of coded values, the words for those values in its language, one row per place); a map's data block
  // names the ones it shows: "all", or slugs by kind.
  var slugIndex = null;

  function rowsByKindAndSlug(shared) {
    if (!slugIndex || slugIndex.shared !== shared) {
      var kindColumn = shared.columns.indexOf("kind"), slugColumn = shared.columns.indexOf("slug");
      var index = { shared: shared, rows: {} };
      shared.rows.forEach(function (row) {
        var kind = shared.lookups.kind[row[kindColumn]];
        (index.rows[kind] = index.rows[kind] || {})[row[slugColumn]] = row;
      });
      slugIndex = index;
    }
    return slugIndex.rows;
  }

  function shownRows(shared, shown) {
    if (shown === "all") { return shared.rows; }
    var index = rowsByKindAndSlug(shared), rows = [];
    ["parks", "projects"].forEach(function (kind) {
      (shown[kind] || []).forEach(function (slug) {
        var row = index[kind] && index[kind][slug];
        if (!row) { throw new Error("atlas-map: " + kind + "/" + slug + " is not in the places script"); }
        rows.push(row);
      });
    });
    return rows;
  }

  // The places a map shows -> place objects ({kind, slug, name, lat, lon, precision, draw, layer, ...}).
  function decode(payload) {
    var shared = window.ATLAS_PLACES;
    if (!shared) { throw new Error("atlas-map: the places script (static/maps/places.js) is not loaded"); }
    if (shared.datum !== payload.datum) {
      throw new Error("atlas-map: the places script is in " + shared.datum + ", this map in " + payload.datum);
    }
    var at = {}, lookups = shared.lookups;
    shared.columns.forEach(function (name, i) { at[name] = i; });
    function coded(row, name) {
      var value = row[at[name]];
      return value === undefined || value === null ? null : lookups[name][value];
    }
    function plain(row, name) {
      var value = row[at[name]];
      return value === undefined ? null : value;
    }
    // one object literal of a fixed shape per place: ten thousand of them are made quickly
    return shownRows(shared, payload.places).map(function (row) {
      var kind = coded(row, "kind"), slug = plain(row, "slug");
      return {
        kind: kind, slug: slug, name: plain(row, "name"), lat: plain(row, "lat"), lon: plain(row, "lon"),
        precision: coded(row, "precision"), draw: coded(row, "draw"), layer: coded(row, "layer"),
        group: coded(row, "group"), stage: coded(row, "stage"), status: coded(row, "status"),
        investment: plain(row, "investment"), district: coded(row, "district"), via: coded(row, "via"),
        radius_m: plain(row, "radius_m"), count: plain(row, "count"), chains: plain(row, "chains"),
        url: payload.href[kind].replace("@", slug)
      };
    });
  }

  function whereText(place, labels) {
    var where = place.district || "";
    if (place.via) { where += words(labels, "open") + labels.text.via + " " + place.via + words(labels, "close"); }
    var precision = labels.precision[place.precision];
    return where ? where + " · " + precision : precision;
  }

  function facts(place, labels) {
    if (place.kind === "projects") {
      return [[labels.text.status, labels.status[place.status]], [labels.text.investment, place.investment],
              [labels.text.chain, labels.layer[place.layer]], [labels.text.location, whereText(place, labels)]];
    }
    return [[labels.text.projects, place.count + " " + labels.text.count],
            [labels.text.location, whereText(place, labels)]];
  }

  function popupFor(place, labels) {
    var box = text("div", null, "map-popup");
    box.appendChild(text("div", labels.kind[place.kind], "map-popup-kind"));
    var heading = text("strong");
    var link = text("a", place.name);
    link.href = place.url;
    heading.appendChild(link);
    box.appendChild(heading);
    var list = text("dl");
    facts(place, labels).forEach(function (pair) {
      list.appendChild(text("dt", pair[0]));
      list.appendChild(text("dd", pair[1]));
    });
    box.appendChild(list);
    return box;
  }

  // A popup whose content is built the first time anything asks for it (opening, or getContent()).
  var PlacePopup = L.Popup.extend({
    getContent: function () {
      if (typeof this._content === "function") { this._content = this._content(this._source); }
      return this._content;
    }
  });

  // Markers get their popup when it is first wanted (a click or Enter reaches the map's handler, or a
  // script calls getPopup/openPopup): binding ten thousand popups up front costs a second.
  function lazyPopups(marker, build) {
    marker.getPopup = function () {
      if (!this._popup) { this.bindPopup(new PlacePopup({ maxWidth: 280, autoPanPadding: [24, 24] }).setContent(build)); }
      return this._popup;
    };
    marker.openPopup = function (latlng) {
      this.getPopup();
      return L.Layer.prototype.openPopup.call(this, latlng);
    };
  }

  function styleDistrict(layer, lit, withTiles) {
    layer.setStyle({
      color: lit ? "#9a3412" : "#6b7280", weight: lit ? 2.5 : 1,
      fillColor: lit ? "#fde68a" : LAND, fillOpacity: withTiles ? (lit ? 0.35 : 0) : (lit ? 0.9 : 1)
    });
  }

  /* A place's district as the outlines, the district names and a map's highlight key it: the Chinese name. The
     places script of another language gives the district in that language; the geo script pairs the two. */
  var districtKeys = null;  // {name in any language: Chinese name}, from the geo script loaded before this one
  function districtKey(name) {
    if (!districtKeys) {
      districtKeys = Object.create(null);
      var labels = (window.ATLAS_GEO && window.ATLAS_GEO.labels) || {};
      Object.keys(labels).forEach(function (key) { districtKeys[labels[key].text] = key; districtKeys[key] = key; });
    }
    return districtKeys[name] || name;
  }

  function highlight(entry, name, lit) {
    var layer = entry.districts[name];
    if (!layer) { return; }
    styleDistrict(layer, lit || entry.highlight.indexOf(name) !== -1, entry.withTiles);
    if (lit) { layer.bringToFront(); }
  }

  // The base map, in its own panes under the markers: with no tiles, land on a neutral background with
  // water lines along the coast, so the sea reads as sea without inventing the neighbouring coasts;
  // with tiles, outlines only.
  function baseMap(map, payload) {
    var entry = entryFor(map);
    var withTiles = false;
    map.eachLayer(function (layer) { if (layer instanceof L.TileLayer) { withTiles = true; } });
    entry.withTiles = withTiles;
    entry.highlight = payload.highlight || [];
    map.getContainer().classList.add(withTiles ? "has-tiles" : "no-tiles");
    var geo = window.ATLAS_GEO;
    if (!geo) { return; }
    if (geo.credit && map.attributionControl) { map.attributionControl.addAttribution(geo.credit); }
    map.createPane("atlas-base").style.zIndex = 250;
    var labelPane = map.createPane("atlas-labels");
    labelPane.style.zIndex = 350;
    labelPane.style.pointerEvents = "none";
    var base = { pane: "atlas-base", renderer: L.canvas({ pane: "atlas-base" }), interactive: false };
    var layers = [];
    if (geo.coastline && !withTiles) {
      WATER_LINES.forEach(function (band) {
        layers.push(L.geoJSON(geo.coastline, L.extend({
          style: { color: SEA, weight: band[0], opacity: band[1], smoothFactor: 3 }
        }, base)));
      });
    }
    layers.push(L.geoJSON(geo.districts, L.extend({
      onEachFeature: function (feature, layer) { entry.districts[feature.properties.name] = layer; }
    }, base)));
    Object.keys(entry.districts).forEach(function (name) { highlight(entry, name, false); });
    entry.highlight.forEach(function (name) { highlight(entry, name, true); });
    if (geo.coastline) {
      layers.push(L.geoJSON(geo.coastline, L.extend({ style: { color: COAST, weight: 1.2 } }, base)));
    }
    var names = Object.keys(geo.labels || {}).map(function (name) {  // name: the district's Chinese name
      var label = L.marker(geo.labels[name].at, {
        interactive: false, keyboard: false, pane: "atlas-labels",
        icon: L.divIcon({ className: "district-label", html: text("span", geo.labels[name].text), iconSize: null })
      });
      label.atlasName = name;
      layers.push(label);
      return label;
    });
    entry.declutter = function () { declutter(entry, names); };  // again once the places have highlighted theirs
    map.on("zoomend resize", entry.declutter);
    // Drawn once the places have set the view (places() calls this after fitting): projecting the outlines
    // for the first view and again for the fitted one would cost twice.
    entry.showBase = function () {
      if (entry.baseShown) { return; }
      entry.baseShown = true;
      layers.forEach(function (layer) { layer.addTo(map); });
      entry.highlight.forEach(function (name) { if (entry.districts[name]) { entry.districts[name].bringToFront(); } });
      entry.declutter();
    };
    setTimeout(entry.showBase, 0);  // a map without places still gets its base map
  }

  /* District names that would run into one another at this zoom are hidden until there is room: the highlighted
     districts' names first, then the others in the base map's order (at the whole city's zoom the urban districts'
     names overlap). The names are drawn for orientation only; the page's text says every district it means. */
  function declutter(entry, labels) {
    if (!entry.baseShown) { return; }
    var highlighted = function (label) { return entry.highlight.indexOf(label.atlasName) >= 0 ? 0 : 1; };
    var kept = [];
    labels.slice().sort(function (a, b) { return highlighted(a) - highlighted(b); }).forEach(function (label) {
      var span = label.getElement() && label.getElement().firstChild;
      if (!span) { return; }
      span.style.visibility = "";
      var box = span.getBoundingClientRect();
      if (!box.width) { return; }  // the map is not laid out (hidden): nothing to compare
      var clash = kept.some(function (other) {
        return box.left < other.right + LABEL_GAP && other.left < box.right + LABEL_GAP &&
               box.top < other.bottom && other.top < box.bottom;
      });
      if (clash) { span.style.visibility = "hidden"; } else { kept.push(box); }
    });
  }

  /* Punctuation of the page's language (labels.text from atlas/render/views.py::map_labels): "（" or " (". */
  var PUNCTUATION = { open: "（", close: "）", colon: "：" };
  function words(labels, key) { return labels.text[key] || PUNCTUATION[key]; }

  function markerFor(place, labels) {
    var colour = GROUP_COLOURS[place.group] || GROUP_COLOURS.none;
    var latlng = [place.lat, place.lon];
    if (place.kind === "parks") {
      return L.marker(latlng, {
        title: place.name, keyboard: true,
        icon: L.divIcon({
          className: "park-marker group-" + place.group + (place.draw === "district" ? " approximate" : ""),
          html: text("span", labels.kind.parks + words(labels, "colon") + place.name, "visually-hidden"), iconSize: [16, 16]
        })
      });
    }
    var style = STAGE_STYLES[place.stage] || STAGE_STYLES.unknown;
    // bubblingMouseEvents: false, as for L.Marker: a click on the marker must not also reach the map, which
    // would fold a spiderfied cluster (and the popup just opened with it)
    return L.circleMarker(latlng, {
      radius: 7, color: colour, fillColor: colour, fillOpacity: style.fillOpacity,
      dashArray: style.dashArray, weight: style.weight, bubblingMouseEvents: false
    });
  }

  function tooltipText(place, labels) {
    var open = words(labels, "open"), close = words(labels, "close");
    if (place.draw === "district") { return place.name + open + labels.text.approximate + close; }
    return place.precision === "site" ? place.name : place.name + open + labels.precision[place.precision] + close;
  }

  // The permanent "approximate (district)" label of a marker on a small map; off, it names the place on hover.
  function showLabel(marker, on) {
    marker.unbindTooltip();
    if (on) {
      marker.bindTooltip(marker.atlasLabel, { permanent: true, direction: "right", offset: [8, 0],
                                              className: "approximate-label" });
    }
  }

  function clusterIcon(labelText) {
    return function (cluster) {
      var children = cluster.getAllChildMarkers();
      var approximate = children.every(function (m) { return m.atlasPlace.draw === "district"; });
      var count = children.length;
      var size = count < 10 ? "small" : (count < 100 ? "medium" : "large");
      var html = "<div><span>" + count + "</span></div>";
      if (approximate && labelText) { html += '<span class="cluster-label">' + labelText + "</span>"; }
      return L.divIcon({
        html: html, iconSize: L.point(40, 40),
        className: "marker-cluster marker-cluster-" + size + (approximate ? " marker-cluster-approx" : "")
      });
    };
  }

  function fitTo(entry, places) {
    var map = entry.map;
    var south = 90, west = 180, north = -90, east = -180, districts = {};
    function extend(lat, lon) {
      if (lat < south) { south = lat; }
      if (lat > north) { north = lat; }
      if (lon < west) { west = lon; }
      if (lon > east) { east = lon; }
    }
    // plain numbers: ten thousand LatLng objects would cost more than the whole fit
    places.forEach(function (place) {
      if (place.draw === "circle") {
        var box = L.latLng(place.lat, place.lon).toBounds(place.radius_m * 2.4);
        extend(box.getSouth(), box.getWest());
        extend(box.getNorth(), box.getEast());
      } else {
        extend(place.lat, place.lon);
      }
      // the point stands for the whole district
      if (place.draw === "district") { districts[districtKey(place.district)] = true; }
    });
    entry.highlight.forEach(function (name) { districts[name] = true; });
    var bounds = L.latLngBounds([]);
    if (north >= south) { bounds.extend([[south, west], [north, east]]); }
    Object.keys(districts).forEach(function (name) {
      if (entry.districts[name]) { bounds.extend(entry.districts[name].getBounds()); }
    });
    if (!bounds.isValid()) { return; }
    // no animation: the first view is settled as soon as the page is (and clusters are built once, for it)
    if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
      map.setView(bounds.getCenter(), 13, { animate: false });
    } else {
      map.fitBounds(bounds.pad(0.1), { maxZoom: 14, animate: false });
    }
  }

  // Below this zoom an uncertainty circle of a few hundred metres is smaller than its marker (800 m is about
  // 13 px at zoom 11): drawn, thousands of them would only carpet the land, and every redraw would pay for them.
  var CIRCLE_MIN_ZOOM = 11;
  var MARKERS_AT_ONCE = 500;  // a map with more places makes its markers in short tasks, after the page is parsed
  var TASK_MS = 30;  // how long one of those tasks may run (a "long task" is over 50 ms)

  function placeMarker(entry, place, payload, buildPopup) {
    var labels = entry.labels;
    var marker = markerFor(place, labels);
    marker.atlasPlace = place;
    marker.atlasShown = true;
    lazyPopups(marker, buildPopup);
    if (place.draw === "district" && payload.labelApproximate) {
      marker.atlasLabel = labels.text.approximate;
      showLabel(marker, true);
      var district = districtKey(place.district);
      if (entry.highlight.indexOf(district) === -1) {
        entry.highlight.push(district);
        highlight(entry, district, true);
      }
    }
    if (place.draw === "circle") {
      marker.atlasCircle = L.circle([place.lat, place.lon], {
        radius: place.radius_m, color: "#9a3412", weight: 1, dashArray: "3 3", fillOpacity: 0.06,
        interactive: false
      }).addTo(entry.circles);
    }
    return marker;
  }

  function places(map, payload) {
    var entry = entryFor(map);
    var list = decode(payload);
    var labels = window.ATLAS_PLACES.labels;  // the words for coded values, in the places script's language
    var layer = L.markerClusterGroup({
      showCoverageOnHover: false, spiderfyOnMaxZoom: true, maxClusterRadius: 40,
      // short tasks (a check every 200 markers): the page answers input while the clusters are built
      chunkedLoading: true, chunkInterval: 25, chunkDelay: 1,
      spiderfyDistanceMultiplier: 2,  // legs long enough to set circle markers clear of the cluster icon
      iconCreateFunction: clusterIcon(payload.labelApproximate ? escapeHtml(labels.text.approximate) : null),
      // ready once every place is clustered (adding the group to the map first reports an empty batch as done)
      chunkProgress: function (done, total) { if (total === list.length && done >= total) { markReady(entry); } }
    });
    var buildPopup = function (marker) { return popupFor(marker.atlasPlace, labels); };
    var markers = [];
    // One handler per map rather than per marker: hover names, and the district of an approximate place.
    layer.on("mouseover", function (event) {
      var marker = event.layer;
      if (marker.atlasPlace && !marker.getTooltip()) {
        // a DOM node, not a string: Leaflet sets a string tooltip as innerHTML, and names are editors' text
        marker.bindTooltip(text("span", tooltipText(marker.atlasPlace, labels))).openTooltip();
      }
    });
    layer.on("click keypress", function (event) {
      var marker = event.layer;
      var key = event.originalEvent && event.originalEvent.keyCode;
      if (marker.atlasPlace && !marker._popup && (event.type === "click" || key === 13)) { marker.openPopup(); }
    });
    // Spiderfied entries sit a few pixels apart: their labels would cover each other, and the cluster they
    // came from keeps its own label, so theirs wait until the spider folds again.
    layer.on("spiderfied unspiderfied", function (event) {
      var folded = event.type === "unspiderfied";
      event.markers.forEach(function (marker) {
        if (marker.atlasLabel) { showLabel(marker, folded); }
      });
      // the faded cluster icon stays on top of the canvas: let clicks and hovers through to the markers
      if (event.cluster._icon) { event.cluster._icon.style.pointerEvents = folded ? "" : "none"; }
    });
    layer.on("popupopen popupclose", function (event) {
      var place = event.layer && event.layer.atlasPlace;
      if (place && place.draw === "district") {
        highlight(entry, districtKey(place.district), event.type === "popupopen");
      }
    });
    entry.layer = layer;
    entry.circles = L.featureGroup();
    entry.markers = markers;
    entry.places = list;
    entry.labels = labels;
    entry.visible = list.length;
    entry.layersOn = {};
    entry.statusesOn = {};
    entry.visibleCount = function () { return entry.visible; };
    entry.setFilter = function (name, key, on) { setFilter(entry, name, key, on); };
    if (payload.fit) { fitTo(entry, list); }
    if (entry.showBase) { entry.showBase(); }
    showCircles(entry);
    map.on("zoomend", function () { showCircles(entry); });
    layer.addTo(map);
    var id = map.getContainer().id;
    bindTextAlternative(entry, id);
    entry.onReady = function () { bindControls(entry, id); };  // filters work on a complete set of markers
    var next = 0;
    function makeMarkers(until) {
      while (next < list.length && (next % 100 !== 0 || performance.now() < until)) {
        markers.push(placeMarker(entry, list[next], payload, buildPopup));
        next++;
      }
    }
    if (!list.length) {
      markReady(entry);
    } else if (list.length <= MARKERS_AT_ONCE) {
      makeMarkers(Infinity);
      layer.addLayers(markers);
    } else {
      // A big map: the page finishes parsing first, then markers are made and clustered in short tasks.
      setTimeout(function task() {
        makeMarkers(performance.now() + TASK_MS);
        // clustering starts in a task of its own (its first chunk would make this one long)
        setTimeout(next < list.length ? task : function () { layer.addLayers(markers); }, 0);
      }, 0);
    }
  }

  function showCircles(entry) {
    var map = entry.map, on = map.getZoom() >= CIRCLE_MIN_ZOOM;
    if (on !== map.hasLayer(entry.circles)) { if (on) { entry.circles.addTo(map); } else { map.removeLayer(entry.circles); } }
  }

  function markReady(entry) {
    if (entry.ready) { return; }
    entry.ready = true;
    entry.readyAt = window.performance ? performance.now() : 0;
    if (entry.onReady) { entry.onReady(); }
    entry.map.getContainer().setAttribute("data-ready", "true");
    if (entry.declutter) { entry.declutter(); }
    if (entry.fillText) { entry.fillText(); }
  }

  function tableRow(place, labels) {
    var row = document.createElement("tr");
    var head = text("th");
    var link = text("a", place.name);
    link.href = place.url;
    head.appendChild(link);
    row.appendChild(head);
    row.appendChild(text("td", labels.kind[place.kind]));
    row.appendChild(text("td", place.kind === "parks" ? place.chains : labels.layer[place.layer]));
    row.appendChild(text("td", place.kind === "projects" ? labels.status[place.status] : "—"));
    row.appendChild(text("td", (place.district ? place.district + " " : "") + labels.precision[place.precision]));
    return row;
  }

  function listItem(place, labels) {
    var item = document.createElement("li");
    var link = text("a", place.name);
    link.href = place.url;
    item.appendChild(link);
    item.appendChild(document.createTextNode(words(labels, "open") + labels.kind[place.kind] + words(labels, "close") +
      facts(place, labels).map(function (pair) { return " · " + pair[0] + words(labels, "colon") + pair[1]; }).join("")));
    return item;
  }

  // The text alternative lists the places in data order. A long one is not in the HTML (it would slow
  // the page down): it is built here from the same data once the markers are on the map, a few rows at a
  // time while the browser is idle, so the page stays responsive.
  function bindTextAlternative(entry, id) {
    var holder = document.querySelector('[data-map-text="' + id + '"]');
    if (!holder) { return; }
    entry.rows = holder.children;
    if (holder.getAttribute("data-fill") !== "script") { return; }
    var makeRow = holder.tagName === "TBODY" ? tableRow : listItem;
    var idle = window.requestIdleCallback || function (task) {
      return setTimeout(function () { task({ timeRemaining: function () { return 8; } }); }, 0);
    };
    // Rows are made a few at a time while the browser is idle, into a fragment that joins the page once:
    // appending them chunk by chunk would lay the whole table out again after every chunk.
    entry.fillText = function () {
      var next = 0, fragment = document.createDocumentFragment();
      idle(function chunk(deadline) {
        do {
          fragment.appendChild(makeRow(entry.places[next], entry.labels));
          next++;
        } while (next < entry.places.length && (next % ROWS_PER_CHUNK !== 0 || deadline.timeRemaining() > 2));
        if (next < entry.places.length) { idle(chunk); return; }
        var rows = fragment.children;
        for (var i = 0; i < rows.length; i++) { rows[i].hidden = !entry.markers[i].atlasShown; }  // filters so far
        var table = holder.closest("table");
        if (table) { table.style.tableLayout = "fixed"; table.style.width = "100%"; }  // one pass, row by row
        holder.appendChild(fragment);
        holder.setAttribute("data-filled", "true");
      });
    };
    if (entry.ready) { entry.fillText(); }
  }

  // Show the markers whose layer and status are both switched on; hide the rest (and their rows).
  function applyFilter(entry) {
    var show = [], hide = [], visible = 0;
    var rows = entry.rows;
    entry.markers.forEach(function (marker, i) {
      var place = marker.atlasPlace;
      var on = entry.layersOn[place.layer] !== false &&
        (place.kind !== "projects" || entry.statusesOn[place.status] !== false);
      if (on) { visible++; }
      if (on === marker.atlasShown) { return; }
      marker.atlasShown = on;
      (on ? show : hide).push(marker);
      if (marker.atlasCircle) {
        if (on) { entry.circles.addLayer(marker.atlasCircle); } else { entry.circles.removeLayer(marker.atlasCircle); }
      }
      if (rows && rows[i]) { rows[i].hidden = !on; }
    });
    if (hide.length) { entry.layer.removeLayers(hide); }
    if (show.length) { entry.layer.addLayers(show); }
    entry.visible = visible;
  }

  function setFilter(entry, name, key, on) {
    (name === "layer" ? entry.layersOn : entry.statusesOn)[key] = on;
    applyFilter(entry);
  }

  // The full map's filter form (rendered by the page, hidden until this script can make it work).
  function bindControls(entry, id) {
    var form = document.querySelector('[data-map-controls="' + id + '"]');
    if (!form) { return; }
    var counter = form.querySelector("[data-map-count]");
    var template = counter.getAttribute("data-template") || "{shown} / {total}";
    function read() {
      Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
        (box.name === "layer" ? entry.layersOn : entry.statusesOn)[box.value] = box.checked;
      });
      applyFilter(entry);
      counter.textContent = template.replace("{shown}", entry.visibleCount()).replace("{total}", entry.markers.length);
    }
    form.addEventListener("change", read);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    Array.prototype.forEach.call(form.querySelectorAll("button[data-check-all], button[data-check-none]"),
      function (button) {
        button.addEventListener("click", function () {
          var name = button.getAttribute("data-check-all") || button.getAttribute("data-check-none");
          var checked = button.hasAttribute("data-check-all");
          Array.prototype.forEach.call(form.querySelectorAll('input[name="' + name + '"]'), function (box) {
            box.checked = checked;
          });
          read();
        });
      });
    form.hidden = false;
  }

  window.AtlasMaps = { baseMap: baseMap, places: places, data: data, registry: registry };
})();

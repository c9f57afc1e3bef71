/* Qingdao Project Atlas — map drawing. Data comes from the page (one array per map) and from
   geo/qingdao-geo.js (districts, coastline). No network requests: everything is in the site. */
(function () {
  "use strict";

  var GROUP_COLOURS = {
    advantage: "#b45309", emerging: "#1d4ed8", service: "#047857", unstated: "#4b5563", none: "#4b5563"
  };
  // Outline and fill tell the stage, so colour is never the only signal (see the legend).
  var STAGE_STYLES = {
    early: { fillOpacity: 0.15, dashArray: "4 3", weight: 2 },
    building: { fillOpacity: 0.55, dashArray: null, weight: 2 },
    done: { fillOpacity: 0.95, dashArray: null, weight: 3 },
    unknown: { fillOpacity: 0.3, dashArray: "1 3", weight: 2 }
  };
  var registry = {};

  function text(tag, content, className) {
    var el = document.createElement(tag);
    if (content !== undefined && content !== null) { el.textContent = content; }
    if (className) { el.className = className; }
    return el;
  }

  function popupFor(place) {
    var box = text("div", null, "map-popup");
    var title = text("a", place.name);
    title.href = place.url;
    box.appendChild(text("div", place.kind_label, "map-popup-kind"));
    var heading = text("strong");
    heading.appendChild(title);
    box.appendChild(heading);
    var list = text("dl");
    (place.facts || []).forEach(function (pair) {
      list.appendChild(text("dt", pair[0]));
      list.appendChild(text("dd", pair[1]));
    });
    box.appendChild(list);
    return box;
  }

  function baseMap(map, options) {
    var geo = window.ATLAS_GEO;
    if (!geo) { return; }
    var withTiles = options.tiles && options.tiles !== "none";
    var highlight = options.highlight || [];
    map.getContainer().classList.add(withTiles ? "has-tiles" : "no-tiles");
    L.geoJSON(geo.districts, {
      interactive: false,
      style: function (feature) {
        var lit = highlight.indexOf(feature.properties.name) !== -1;
        return {
          color: lit ? "#9a3412" : "#6b7280", weight: lit ? 2.5 : 1,
          fillColor: lit ? "#fde68a" : "#f5f1e6",
          fillOpacity: withTiles ? (lit ? 0.35 : 0) : (lit ? 0.9 : 1)
        };
      }
    }).addTo(map);
    if (geo.coastline) {
      L.geoJSON(geo.coastline, { interactive: false, style: { color: "#2f6f9f", weight: 1.2 } }).addTo(map);
    }
    Object.keys(geo.labels || {}).forEach(function (name) {
      L.marker(geo.labels[name], {
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: "district-label", html: "", iconSize: null })
      }).addTo(map).getElement().textContent = name;
    });
  }

  function markerFor(place) {
    var colour = GROUP_COLOURS[place.group] || GROUP_COLOURS.none;
    if (place.kind === "parks") {
      return L.marker([place.lat, place.lon], {
        title: place.name, alt: place.name,
        icon: L.divIcon({ className: "park-marker", html: "", iconSize: [16, 16] })
      });
    }
    var style = STAGE_STYLES[place.stage] || STAGE_STYLES.unknown;
    return L.circleMarker([place.lat, place.lon], {
      radius: 8, color: colour, fillColor: colour, fillOpacity: style.fillOpacity,
      dashArray: style.dashArray, weight: style.weight
    });
  }

  function places(map, data, options) {
    var layer = options.cluster && window.L.markerClusterGroup ?
      L.markerClusterGroup({ showCoverageOnHover: false, spiderfyOnMaxZoom: true, maxClusterRadius: 40 }) :
      L.featureGroup();
    var extras = L.featureGroup();
    var markers = [];
    data.forEach(function (place) {
      var marker = markerFor(place);
      marker.bindPopup(popupFor(place));
      if (place.tooltip) { marker.bindTooltip(place.tooltip); }
      marker.atlasPlace = place;
      layer.addLayer(marker);
      markers.push(marker);
      if (place.precision === "area" && place.radius_m) {
        L.circle([place.lat, place.lon], { radius: place.radius_m, color: "#9a3412", weight: 1, fillOpacity: 0.08,
          interactive: false }).addTo(extras);
      }
    });
    extras.addTo(map);
    layer.addTo(map);
    if (options.fit && markers.length) {
      var bounds = L.latLngBounds(markers.map(function (m) { return m.getLatLng(); }));
      if (markers.length === 1) {
        map.setView(bounds.getCenter(), options.single_zoom || 11);
      } else {
        map.fitBounds(bounds.pad(0.2), { maxZoom: 12 });
      }
    }
    registry[map.getContainer().id] = { map: map, layer: layer, markers: markers };
  }

  window.AtlasMaps = { baseMap: baseMap, places: places, registry: registry };
})();

// Optional maps of works (Leaflet, shipped by django-leaflet; OpenStreetMap tiles).
// Without JavaScript the list and the links to the GeoJSON and CSV downloads do the work.
//
// #works-map: the works of the list's filters, read from its data-geojson URL (the same
// filters as the list), clustered by the server for the map's zoom level. After drawing,
// the container carries data-drawn (the works drawn: the features' counts added up) and
// data-features (markers and clusters on the map).
// #work-map: one work's position.
(function () {
  "use strict";
  var L = window.L;
  if (!L || !window.fetch) { return; }

  function tiles(map) {
    // Leaflet's own prefix carries an English tooltip: credit it without one.
    map.attributionControl.setPrefix("<a href=\"https://leafletjs.com\">Leaflet</a>");
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a>"
    }).addTo(map);
  }

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  var one = document.getElementById("work-map");
  if (one) {
    one.hidden = false;
    var position = [parseFloat(one.dataset.lat), parseFloat(one.dataset.lon)];
    var single = L.map(one).setView(position, 16);
    tiles(single);
    L.marker(position, { title: one.dataset.title, alt: one.dataset.title }).addTo(single);
  }

  var box = document.getElementById("works-map");
  if (!box) { return; }
  box.hidden = false;
  var status = document.getElementById("works-map-status");
  var map = L.map(box).setView(
    [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)], parseInt(box.dataset.zoom, 10)
  );
  tiles(map);
  var layer = L.layerGroup().addTo(map);
  var latest = 0;
  var fitted = false;

  function popup(properties) {
    var content = document.createElement("div");
    var title = document.createElement("a");
    title.href = properties.url;
    title.textContent = properties.code + " · " + properties.title;
    content.appendChild(title);
    content.appendChild(text("p", properties.status_label + " · " + properties.physical_progress + " %"));
    return content;
  }

  function draw(data) {
    layer.clearLayers();
    var drawn = 0;
    data.features.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var where = [c[1], c[0]];
      var p = feature.properties;
      var marker;
      drawn += p.count;
      if (p.cluster) {
        var label = box.dataset.clusterLabel.replace("%(count)s", p.count);
        marker = L.marker(where, {
          title: label,
          icon: L.divIcon({ className: "works-cluster", html: "", iconSize: [38, 38] })
        });
        marker.on("add", function () {
          var icon = marker.getElement();
          if (icon) { icon.textContent = String(p.count); icon.setAttribute("aria-label", label); }
        });
        marker.on("click", function () {
          var b = feature.bbox;
          if (b && (b[0] !== b[2] || b[1] !== b[3])) {
            map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [30, 30] });
          } else {
            map.setView(where, Math.min(map.getZoom() + 2, 19));
          }
        });
      } else {
        marker = L.marker(where, { title: p.code + " · " + p.title, alt: p.code + " · " + p.title });
        marker.bindPopup(popup(p));
      }
      marker.addTo(layer);
    });
    box.dataset.drawn = String(drawn);
    box.dataset.features = String(data.features.length);
    if (status) { status.textContent = box.dataset.statusLabel.replace("%(count)s", drawn); }
  }

  function load() {
    var ticket = ++latest;
    var url = box.dataset.geojson;
    url += (url.indexOf("?") === -1 ? "?" : "&") + "zoom=" + map.getZoom();
    box.setAttribute("aria-busy", "true");
    fetch(url, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (ticket !== latest) { return; }
        box.removeAttribute("aria-busy");
        draw(data);
        if (!fitted && data.bbox) {
          fitted = true;
          var b = data.bbox;
          map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [30, 30], maxZoom: 15 });
        }
      })
      .catch(function () { box.removeAttribute("aria-busy"); });
  }

  map.on("zoomend", load);
  load();
})();

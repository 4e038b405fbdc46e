// Optional map of social actors (Leaflet, shipped by django-leaflet; OpenStreetMap tiles).
// Without JavaScript the directory's list does the work. The points come from the
// json_script block "actors-map-data" (name, type, zone, parish: no contact details).
(function () {
  "use strict";
  var L = window.L;
  var box = document.getElementById("actors-map");
  var source = document.getElementById("actors-map-data");
  if (!L || !box || !source) { return; }
  var points;
  try { points = JSON.parse(source.textContent); } catch (error) { return; }
  if (!points || !points.length) { return; }
  box.hidden = false;
  var map = L.map(box).setView(
    [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)], parseInt(box.dataset.zoom, 10)
  );
  map.attributionControl.setPrefix("<a href=\"https://leafletjs.com\">Leaflet</a>");
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19,
    attribution: "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a>"
  }).addTo(map);
  var bounds = [];
  points.forEach(function (point) {
    var where = [point.lat, point.lon];
    bounds.push(where);
    var content = document.createElement("div");
    var link = document.createElement("a");
    link.href = "/actores/" + point.id + "/";
    link.textContent = point.name;
    content.appendChild(link);
    var about = document.createElement("p");
    about.textContent = point.kind + " · " + point.parish + " · " + point.zone +
      (point.exact ? "" : " · " + box.dataset.approximate);
    content.appendChild(about);
    L.marker(where, { title: point.name, alt: point.name }).bindPopup(content).addTo(map);
  });
  if (bounds.length > 1) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); }
  else { map.setView(bounds[0], parseInt(box.dataset.zoom, 10)); }
  box.dataset.drawn = String(points.length);
})();

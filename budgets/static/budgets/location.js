// Optional enhancements of the request form's location: a map to click on (Leaflet, shipped
// by django-leaflet) and the device's position. Typing the coordinates always works.
(function () {
  "use strict";
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  if (!lat || !lon) { return; }
  var marker = null;
  var map = null;

  function place(latitude, longitude) {
    lat.value = latitude.toFixed(6);
    lon.value = longitude.toFixed(6);
    if (map) {
      if (marker) { marker.setLatLng([latitude, longitude]); }
      else { marker = window.L.marker([latitude, longitude]).addTo(map); }
    }
  }

  var container = document.getElementById("location-map");
  if (container && window.L) {
    container.hidden = false;
    var start = [parseFloat(container.dataset.lat), parseFloat(container.dataset.lon)];
    map = window.L.map(container).setView(start, parseInt(container.dataset.zoom, 10));
    map.attributionControl.setPrefix("<a href=\"https://leafletjs.com\">Leaflet</a>");
    window.L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: "&copy; OpenStreetMap"
    }).addTo(map);
    map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng); });
    if (lat.value && lon.value) { place(parseFloat(lat.value), parseFloat(lon.value)); }
  }

  var button = document.getElementById("use-location");
  if (button && "geolocation" in navigator) {
    button.closest(".js-only").hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        place(position.coords.latitude, position.coords.longitude);
        if (map) { map.setView([position.coords.latitude, position.coords.longitude], 16); }
      });
    });
  }
})();

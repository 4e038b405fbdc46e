// Optional: keeps the ballot's remaining budget up to date as boxes are ticked. The server
// computes and validates the same figures, so the page works the same without this file.
(function () {
  "use strict";
  var form = document.querySelector("form.ballot");
  if (!form) { return; }
  var envelope = parseFloat(form.dataset.envelope);
  var knapsack = form.dataset.knapsack === "1";
  var lang = document.documentElement.lang === "en" ? "en-US" : "es-EC";
  var money = function (value) {
    var text = value.toLocaleString(lang === "en-US" ? "en-US" : "de-DE", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return (value < 0 ? "-USD " + text.replace("-", "") : "USD " + text);
  };
  var update = function () {
    var boxes = form.querySelectorAll("input[name=proyectos]:checked");
    var spent = 0;
    boxes.forEach(function (box) { spent += Math.round(parseFloat(box.dataset.cost) * 100); });
    spent = spent / 100;
    if (knapsack) {
      form.querySelector("[data-role=spent]").textContent = money(spent);
      var remaining = form.querySelector("[data-role=remaining]");
      remaining.textContent = money(Math.round((envelope - spent) * 100) / 100);
      remaining.parentElement.classList.toggle("over", spent > envelope);
    } else {
      form.querySelector("[data-role=count]").textContent = String(boxes.length);
    }
  };
  form.addEventListener("change", update);
})();

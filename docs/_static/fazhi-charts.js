// Draws every chart an executed page holds: each is a <div class="fazhi-chart"> with its
// Vega-Lite spec in a JSON script element. vegaEmbed comes from vega-bundle.js (vl-convert's
// bundle, copied at build time), so nothing is fetched from outside the site.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("div.fazhi-chart").forEach(function (div) {
    var spec = JSON.parse(div.querySelector("script[type='application/json']").textContent);
    var target = div.querySelector(".fazhi-chart-view");
    vegaEmbed(target, spec, {renderer: "svg", actions: false}).catch(function (err) {
      target.textContent = "chart error: " + err;
    });
  });
});

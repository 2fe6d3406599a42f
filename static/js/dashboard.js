// Charts of the trustees' dashboard. Data comes from data-chart attributes (the CSP allows
// no inline script); every chart has a table with the same figures for screen readers.
(function () {
  "use strict";
  var COLOURS = {
    danger: "#dc3545",
    warning: "#ffc107",
    success: "#198754",
    primary: "#0d6efd",
    secondary: "#6c757d",
    info: "#0dcaf0"
  };

  function draw(canvas) {
    if (typeof Chart === "undefined" || canvas.dataset.drawn) return;
    var config;
    try {
      config = JSON.parse(canvas.dataset.chart);
    } catch (e) {
      return;
    }
    canvas.dataset.drawn = "1";
    var unit = config.unit || "";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: config.labels,
        datasets: config.datasets.map(function (d) {
          return {
            label: d.label,
            data: d.data,
            backgroundColor: COLOURS[d.color] || COLOURS.secondary
          };
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: !!config.stacked },
          y: {
            stacked: !!config.stacked,
            beginAtZero: true,
            max: unit === "%" ? 100 : undefined,
            ticks: {
              precision: 0,
              callback: function (value) { return value + unit; }
            }
          }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
    document.querySelectorAll("[data-print-page]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();

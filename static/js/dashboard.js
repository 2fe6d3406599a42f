// Charts of the trustees' dashboard. Data comes from data-chart attributes (the CSP allows
// no inline script); every chart has a table with the same figures for screen readers.
(function () {
  "use strict";
  // The trust's palette (static/css/theme.css): every colour at 3:1 or more on white
  // (WCAG 1.4.11); segments of a stacked bar are parted by a white border.
  var COLOURS = {
    danger: "#b3261e",
    warning: "#a35a00",
    success: "#2e7d32",
    primary: "#1f4e79",
    secondary: "#5c6670",
    info: "#00798c"
  };
  var SERIES = ["#1f4e79", "#a35a00", "#2e7d32", "#6a3d9a", "#00798c", "#b3261e", "#5c6670", "#8a4f7d"];
  var MARKER_LABEL = "Fewer than 5 (hidden to protect people; marker, not to scale)";

  // Diagonal stripes: a suppressed cell is drawn as a striped marker, never as 0 or nothing.
  function stripes() {
    var tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    var ctx = tile.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, 8, 8);
    ctx.strokeStyle = "#3f474f";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(0, 8);
    ctx.lineTo(8, 0);
    ctx.stroke();
    return ctx.createPattern(tile, "repeat");
  }

  // One extra dataset marks every label where some series is suppressed ("fewer than 5").
  function markerDataset(config, datasets) {
    var hidden = config.labels.map(function () { return []; });
    config.datasets.forEach(function (d) {
      (d.suppressed || []).forEach(function (isHidden, i) {
        if (isHidden) hidden[i].push(d.label);
      });
    });
    if (!hidden.some(function (names) { return names.length; })) return null;
    var highest = 0;
    datasets.forEach(function (d) {
      d.data.forEach(function (v) { if (v > highest) highest = v; });
    });
    var size = Math.max(1, Math.round(highest * 0.06));
    return {
      label: MARKER_LABEL,
      data: hidden.map(function (names) { return names.length ? size : null; }),
      backgroundColor: stripes(),
      borderColor: "#3f474f",
      borderWidth: 1,
      hiddenNames: hidden
    };
  }

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
    var datasets = config.datasets.map(function (d, i) {
      return {
        label: d.label,
        data: d.data,
        backgroundColor: COLOURS[d.color] || SERIES[i % SERIES.length],
        borderColor: "#ffffff",
        borderWidth: config.stacked ? 1 : 0
      };
    });
    var marker = markerDataset(config, datasets);
    if (marker) datasets.push(marker);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: config.labels,
        datasets: datasets
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
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                if (item.dataset.hiddenNames) {
                  return "Fewer than 5: " + item.dataset.hiddenNames[item.dataIndex].join(", ");
                }
                return item.dataset.label + ": " + item.formattedValue + unit;
              }
            }
          }
        }
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

// Chart.js (vendored, frontend/vendor/chart.umd-<version>.js, window.Chart) wrapped for the
// two detail charts. The tooltip is HTML, not canvas paint, so screen magnifiers, tests and
// copy-paste can read it. Every chart also has a data table next to it (details.js).

const charts = new WeakMap(); // canvas -> Chart

const INK = "#1d2733";
const GRID = "#d9dee5";

function tooltipElement(canvas) {
  const holder = canvas.parentElement;
  let el = holder.querySelector(".chart-tooltip");
  if (!el) {
    el = document.createElement("div");
    el.className = "chart-tooltip";
    el.setAttribute("role", "status");
    el.setAttribute("aria-live", "polite");
    holder.append(el);
  }
  return el;
}

// describe(index) -> {title: string, lines: [string]} for the point under the pointer.
function externalTooltip(describe) {
  return ({ chart, tooltip }) => {
    const el = tooltipElement(chart.canvas);
    if (tooltip.opacity === 0 || !tooltip.dataPoints || tooltip.dataPoints.length === 0) {
      el.classList.remove("visible");
      return;
    }
    const index = tooltip.dataPoints[0].dataIndex;
    const { title, lines } = describe(index);
    el.replaceChildren();
    const t = document.createElement("strong");
    t.textContent = title;
    el.append(t);
    for (const line of lines) {
      const p = document.createElement("span");
      p.textContent = line;
      el.append(p);
    }
    el.dataset.index = String(index);
    el.classList.add("visible");
    const x = Math.min(Math.max(tooltip.caretX, 70), chart.width - 70);
    el.style.left = `${x}px`;
    el.style.top = `${Math.max(tooltip.caretY - 12, 0)}px`;
  };
}

export function destroyChart(canvas) {
  const old = charts.get(canvas);
  if (old) old.destroy();
  charts.delete(canvas);
}

// A chart of one or two series over the same labels.
// series: [{label, values, color, type: "line"|"bar", axis: "y"|"y2", fill, stepped}]
export function drawChart(canvas, { labels, series, yTitle, y2Title, yMax = null, describe }) {
  destroyChart(canvas);
  if (typeof window.Chart !== "function") {
    throw new Error("the chart library (vendor/chart.umd-*.js) did not load");
  }
  const datasets = series.map((s) => ({
    type: s.type || "line",
    label: s.label,
    data: s.values,
    yAxisID: s.axis || "y",
    borderColor: s.color,
    backgroundColor: s.type === "bar" ? `${s.color}99` : `${s.color}22`,
    pointBackgroundColor: s.color,
    pointRadius: s.type === "bar" || s.stepped ? 0 : 3,
    pointHoverRadius: 6,
    borderWidth: 2,
    fill: Boolean(s.fill),
    spanGaps: false,
    stepped: s.stepped ? "before" : false,
    tension: s.stepped ? 0 : 0.2,
    order: s.type === "bar" ? 2 : 1,
  }));
  const scales = {
    x: { grid: { color: GRID }, ticks: { color: INK, autoSkip: true, maxRotation: 0 } },
    y: {
      beginAtZero: true,
      suggestedMax: yMax ?? undefined,
      title: { display: Boolean(yTitle), text: yTitle, color: INK },
      grid: { color: GRID },
      ticks: { color: INK },
    },
  };
  if (series.some((s) => s.axis === "y2")) {
    scales.y2 = {
      position: "right",
      beginAtZero: true,
      title: { display: Boolean(y2Title), text: y2Title, color: INK },
      grid: { drawOnChartArea: false },
      ticks: { color: INK },
    };
  }
  const chart = new window.Chart(canvas, {
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false, // drawn at once: switching periods must feel instant
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { labels: { color: INK, boxWidth: 14 } },
        tooltip: { enabled: false, external: externalTooltip(describe) },
      },
      scales,
    },
  });
  charts.set(canvas, chart);
  return chart;
}

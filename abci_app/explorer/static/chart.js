// A line chart as SVG: series of [x, y] points on shared axes, drawn without a library.
import { esc } from "./view.js";

const W = 760, H = 300, PAD = { left: 64, right: 12, top: 14, bottom: 34 };
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 2 });

export function lineChart(id, title, series, xLabel, yLabel) {
  const all = series.flatMap((s) => s.points);
  if (!all.length) return `<p id="${esc(id)}" class="muted">No data yet.</p>`;
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = [0, Math.max(...all.map((p) => p[1])) || 1];
  const x = (v) => PAD.left + (x1 === x0 ? 0 : (v - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v - y0) / (y1 - y0) * (H - PAD.top - PAD.bottom);
  const paths = series.map((s) => `<path d="${s.points.map((p, i) => `${i ? "L" : "M"}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join("")}"
      fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}><title>${esc(s.name)}</title></path>`);
  const ticks = [0, 0.5, 1].map((f) => y0 + f * (y1 - y0));
  return `<figure id="${esc(id)}"><svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
      <line class="axis" x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}"/>
      <line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}"/>
      ${ticks.map((t) => `<text x="${PAD.left - 6}" y="${y(t) + 5}" text-anchor="end">${esc(compact.format(t))}</text>`).join("")}
      <text x="${PAD.left}" y="${H - 8}">${esc(xLabel)} ${x0}</text>
      <text x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${x1}</text>
      ${paths.join("")}</svg>
    <figcaption class="legend">${series.map((s) => `<span><i style="background:${s.color}"></i>${esc(s.name)}</span>`).join("")}
      <span class="muted">(${esc(yLabel)})</span></figcaption></figure>`;
}

// The world outline shipped with world-atlas (Natural Earth's land at 1:110m, through
// topojson-client), in an equirectangular projection, and each campaign's area as the circle
// of its radius around its centre, computed on the sphere.
import { esc } from "./view.js";

const W = 960, H = 480, EARTH_M = 6_371_000;
let land = null;

const project = ([lon, lat]) => [((lon + 180) / 360) * W, ((90 - lat) / 180) * H];
const ring = (points) => unwrap(points).map((p, i) => `${i ? "L" : "M"}${project(p).map((v) => v.toFixed(1)).join(",")}`).join("") + "Z";

// The ring's longitudes made continuous (a step of more than 180 degrees is the antimeridian, not
// a jump across the world): the part beyond ±180 falls outside the map. A ring that went all the
// way round (a circle over a pole) is closed along that pole.
function unwrap(points) {
  const out = [];
  let shift = 0;
  for (const [lon, lat] of points) {
    const previous = out.at(-1);
    if (previous) {
      const step = lon + shift - previous[0];
      if (step > 180) shift -= 360;
      else if (step < -180) shift += 360;
    }
    out.push([lon + shift, lat]);
  }
  const wrap = (step) => ((step + 540) % 360) - 180;
  const winding = out.at(-1)[0] - out[0][0] + wrap(points[0][0] - points.at(-1)[0]);
  if (Math.abs(winding) > 180) {
    const pole = out.reduce((sum, p) => sum + p[1], 0) > 0 ? 90 : -90;
    out.push([out.at(-1)[0], pole], [out[0][0], pole]);
  }
  return out;
}

async function landPath() {
  if (!land) {
    const world = await (await fetch("/explorer/vendor/land-110m.json")).json();
    const shape = globalThis.topojson.feature(world, world.objects.land);
    const polygons = shape.features ? shape.features.flatMap((f) => polygonsOf(f.geometry)) : polygonsOf(shape.geometry);
    land = polygons.flatMap((polygon) => polygon.map(ring)).join("");
  }
  return land;
}

function polygonsOf(geometry) {
  return geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
}

// The points at `meters` from (lat, lon), every 10 degrees of bearing.
function circle(lat, lon, meters) {
  const d = meters / EARTH_M, φ1 = (lat * Math.PI) / 180, λ1 = (lon * Math.PI) / 180;
  const points = [];
  for (let bearing = 0; bearing < 360; bearing += 10) {
    const θ = (bearing * Math.PI) / 180;
    const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(θ));
    const λ2 = λ1 + Math.atan2(Math.sin(θ) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
    points.push([((λ2 * 180) / Math.PI + 540) % 360 - 180, (φ2 * 180) / Math.PI]);
  }
  return points;
}

// areas: [{id, lat, lon, radius, label}]; the view fits them (the whole world when none).
export async function campaignMap(id, areas) {
  const outline = await landPath();
  let box = [0, 0, W, H];
  if (areas.length) {
    const xy = areas.flatMap((a) => unwrap(circle(a.lat, a.lon, a.radius)).map(project));
    const xs = xy.map((p) => p[0]), ys = xy.map((p) => p[1]);
    const pad = 20, left = Math.max(0, Math.min(...xs) - pad), top = Math.max(0, Math.min(...ys) - pad);
    const width = Math.max(60, Math.max(...xs) + pad - left), height = Math.max(30, Math.max(...ys) + pad - top);
    box = [left, top, Math.min(W - left, Math.max(width, height * 2)), Math.min(H - top, Math.max(height, width / 2))];
  }
  const circles = areas.map((a) => `<path class="area" vector-effect="non-scaling-stroke" data-campaign="${esc(a.id)}"
      d="${ring(circle(a.lat, a.lon, a.radius))}"><title>${esc(a.label)}</title></path>`);
  return `<svg id="${esc(id)}" class="map" viewBox="${box.map((v) => v.toFixed(1)).join(" ")}" role="img"
      aria-label="Coupon campaigns on a world map, each as the circle of its radius">
    <path class="land" vector-effect="non-scaling-stroke" d="${outline}"/>${circles.join("")}</svg>`;
}

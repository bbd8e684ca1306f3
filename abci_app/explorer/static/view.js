// Small HTML builders: every value shown passes through esc().
import { ethers } from "./chain.js";

export const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (c) =>
  ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// CMT with its integer part grouped by thousands and every significant decimal (none lost).
export function cmt(wei) {
  const [whole, fraction] = ethers.formatEther(BigInt(wei ?? 0)).split(".");
  const decimals = fraction.replace(/0+$/, "");
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${decimals ? "." + decimals : ""} CMT`;
}
export const num = (hex) => Number(BigInt(hex ?? 0));
export const short = (text) => (text && text.length > 18 ? `${text.slice(0, 10)}…${text.slice(-6)}` : text || "");
export const time = (seconds) => (Number(seconds) ? new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z") : "—");
export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

export const address = (a) => (a && a !== ZERO_ADDRESS
  ? `<a class="mono" href="#/address/${esc(a)}" title="${esc(a)}">${esc(short(a))}</a>` : "—");
export const txLink = (hash) => `<a class="mono" href="#/tx/${esc(hash)}" title="${esc(hash)}">${esc(short(hash))}</a>`;
export const blockLink = (number) => `<a href="#/block/${esc(number)}">${esc(number)}</a>`;

// <dl> of [label, html] pairs; each value carries data-field=label for tests and styles.
export const fields = (pairs) => `<dl class="fields">${pairs.map(([label, html]) =>
  `<dt>${esc(label)}</dt><dd data-field="${esc(label)}">${html}</dd>`).join("")}</dl>`;

// A table with a caption (its accessible name); `rows` are arrays of cell HTML; the columns in
// `wide` are left out at a phone's width.
export function table(id, caption, head, rows, empty = "None yet.", wide = []) {
  if (!rows.length) return `<p id="${esc(id)}" class="muted">${esc(empty)}</p>`;
  const cls = (i) => (wide.includes(i) ? ' class="wide"' : "");
  return `<table id="${esc(id)}"><caption class="visually-hidden">${esc(caption)}</caption>
    <thead><tr>${head.map((h, i) => `<th scope="col"${cls(i)}>${esc(h)}</th>`).join("")}</tr></thead>
    <tbody>${rows.map((row) => `<tr>${row.map((cell, i) => `<td${cls(i)}>${cell}</td>`).join("")}</tr>`).join("")}</tbody>
  </table>`;
}

export const card = (title, body, wide = false) =>
  `<section class="card${wide ? " full" : ""}" aria-label="${esc(title)}"><h2>${esc(title)}</h2>${body}</section>`;

// A decoded precompile call or event: name(arg=value, ...), values formatted by their ABI type.
export function decoded(fragment, args) {
  const parts = fragment.inputs.map((input, i) => `${esc(input.name || `arg${i}`)}=${value(input, args[i])}`);
  return `<span class="mono"><strong>${esc(fragment.name)}</strong>(${parts.join(", ")})</span>`;
}

function value(input, v) {
  if (input.baseType === "address") return address(v);
  if (input.baseType === "array") return `[${v.map((item) => value(input.arrayChildren, item)).join(", ")}]`;
  if (input.baseType === "tuple") return `{${input.components.map((c, i) => `${esc(c.name)}=${value(c, v[i])}`).join(", ")}}`;
  return esc(typeof v === "bigint" ? v.toString() : v);
}

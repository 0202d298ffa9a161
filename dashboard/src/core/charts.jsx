// Charts that read: Chart.js (vendored, window.Chart) with money axes and tooltips in the currency,
// one axis per measure, and an empty state in place of an empty grid.
import { useEffect, useRef } from "preact/hooks";
import { money, moneyShort, number } from "./format.js";

export const PALETTE = ["#2764c5", "#d35400", "#1e8449", "#8e44ad", "#c0392b", "#117a65", "#b9770e", "#5d6d7e",
  "#2e4053", "#a93226", "#6c3483", "#1a5276", "#7d6608"];

/** A y axis of money: ticks "$1.2K", a title naming the currency. */
export function moneyAxis(currency, extra = {}) {
  return { beginAtZero: true, title: { display: true, text: currency }, ticks: { callback: (v) => moneyShort(v, currency) }, ...extra };
}

export function unitsAxis(title, extra = {}) {
  return { beginAtZero: true, title: { display: true, text: title }, ticks: { precision: 0 }, ...extra };
}

/** Tooltips: "Food: $25.00" for money datasets (dataset.money = currency), "Units sold: 3" otherwise. */
export function tooltip() {
  return { callbacks: { label: (ctx) => {
    const v = ctx.parsed && typeof ctx.parsed === "object" ? (ctx.parsed.y ?? ctx.parsed.x ?? ctx.parsed) : ctx.parsed;
    const value = ctx.chart.config.type === "doughnut" ? ctx.parsed : v;
    const cur = ctx.dataset.money;
    return `${ctx.dataset.label || ctx.label}: ${cur ? money(value, cur) : number(value)}`;
  } } };
}

export function baseOptions(title, extra = {}) {
  return { responsive: true, maintainAspectRatio: false, animation: false,
    plugins: { title: { display: Boolean(title), text: title }, tooltip: tooltip(), legend: { labels: { boxWidth: 12 } } },
    ...extra };
}

/** A canvas drawn with `config` (redrawn when it changes); the chart object is kept on the canvas. */
export function ChartBox({ id, label, config, tall }) {
  const canvas = useRef();
  useEffect(() => {
    if (!window.Chart || !canvas.current || !config) return undefined;
    const existing = window.Chart.getChart(canvas.current);
    if (existing) existing.destroy();
    const chart = new window.Chart(canvas.current, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <div class={`chart${tall ? " tall" : ""}`}>
      <canvas ref={canvas} id={id} role="img" aria-label={label} />
    </div>
  );
}

// Builds dist/: the sources as they are, plus Chart.js and jsPDF vendored from node_modules (never a CDN).
import { cpSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "vendor"), { recursive: true });
cpSync(join(here, "src"), dist, { recursive: true });
const chart = join(here, "node_modules", "chart.js", "dist", "chart.umd.min.js");
const fallback = join(here, "node_modules", "chart.js", "dist", "chart.umd.js");
cpSync(existsSync(chart) ? chart : fallback, join(dist, "vendor", "chart.umd.js"));
// jsPDF renders the monthly report as PDF in the browser: no PDF library in the Lambda.
cpSync(join(here, "node_modules", "jspdf", "dist", "jspdf.umd.min.js"), join(dist, "vendor", "jspdf.umd.min.js"));
console.log("dashboard built in", dist);

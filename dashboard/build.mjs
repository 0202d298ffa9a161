// Builds dist/: esbuild bundles the app (Preact components, JSX) from src/main.jsx into app.js; the
// HTML shell, the service worker, the offline queue and the styles are copied; Pico CSS, Chart.js and
// jsPDF are vendored from node_modules (never a CDN). `node build.mjs --watch` rebuilds on change.
import { cpSync, mkdirSync, rmSync, existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const dist = join(here, "dist");
const modules = join(here, "node_modules");
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "vendor"), { recursive: true });

// Files served as they are (the service worker must sit at the root to control the whole site).
for (const name of ["index.html", "inventory.html", "sw.js", "style.css"]) cpSync(join(src, name), join(dist, name));
// The public storefront (issue 13): its own page and bundle, no sign-in.
for (const name of ["storefront.html", "storefront.css"]) cpSync(join(src, name), join(dist, name));

const vendor = [
  ["@picocss/pico/css/pico.min.css", "pico.min.css"],
  [existsSync(join(modules, "chart.js/dist/chart.umd.min.js")) ? "chart.js/dist/chart.umd.min.js" : "chart.js/dist/chart.umd.js", "chart.umd.js"],
  // jsPDF renders the monthly report as PDF in the browser: no PDF library in the Lambda.
  ["jspdf/dist/jspdf.umd.min.js", "jspdf.umd.min.js"],
];
for (const [from, to] of vendor) cpSync(join(modules, from), join(dist, "vendor", to));

const options = {
  entryPoints: [join(src, "main.jsx")],
  outfile: join(dist, "app.js"),
  bundle: true,
  format: "esm",
  target: ["es2020"],
  minify: true,
  sourcemap: true,
  jsx: "automatic",
  jsxImportSource: "preact",
  metafile: true,
  logLevel: "warning",
};

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  const shop = await esbuild.context({ ...options, entryPoints: [join(src, "shop/storefront-main.jsx")], outfile: join(dist, "storefront.js") });
  await shop.watch();
  console.log("watching", src);
} else {
  await esbuild.build(options);
  await esbuild.build({ ...options, entryPoints: [join(src, "shop/storefront-main.jsx")], outfile: join(dist, "storefront.js") });
  const kb = (f) => (statSync(join(dist, f)).size / 1024).toFixed(1);
  console.log(`dashboard built in ${dist}: app.js ${kb("app.js")} KiB, pico ${kb("vendor/pico.min.css")} KiB`);
}

// Hash routes, one per page (#/expenses, #/budgets, #/inventory/stock, ...): a static site on S3 needs
// no server rewrites for them. A module registers its pages with `page({...})` from its own folder.
import { useEffect, useState } from "preact/hooks";

export const modules = [];
const pages = [];

/** A module: {id, label, home} (the home page's path), shown in the top navigation in this order. */
export function module(def) { modules.push(def); }

/**
 * A page: {path, module, label (in the module's navigation; none: not listed), title, component}.
 * The component gets {params} (the query part of the hash: #/inventory/movements?product=...).
 */
export function page(def) { pages.push(def); }

export function parse(hash) {
  const raw = (hash || "").replace(/^#/, "") || "/";
  const [path, query] = raw.split("?");
  return { path, params: new URLSearchParams(query || "") };
}

export const findPage = (path) => pages.find((p) => p.path === path);
export const modulePages = (id) => pages.filter((p) => p.module === id && p.label);

export function useRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return parse(hash);
}

export function go(path) {
  if (location.hash !== `#${path}`) location.hash = path;
}

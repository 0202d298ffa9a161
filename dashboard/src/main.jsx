// Tally dashboard: one static page, a hash route per page, one folder per module's pages.
// A new module adds a folder with an index.js that calls module() and page() and is imported here.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { loadConfig, signedIn } from "./core/api.js";
import { on } from "./core/bus.js";
import { loadProfile, signOut } from "./core/session.js";
import { findPage, go, modulePages, modules, useRoute } from "./core/router.js";
import { useProfile } from "./core/state.js";
import { ConfirmHost, say, StatusHost } from "./core/ui.jsx";
import { AuthPage } from "./auth/pages.jsx";
import "./auth/index.js";
import "./expenses/index.js";
import "./inventory/index.js";
import "./helpdesk/index.js";
import "./shop/index.js";
import "./cars/index.js";

function Header({ profile, current }) {
  const mod = current && modules.find((m) => m.id === current.module);
  const subpages = mod ? modulePages(mod.id) : [];
  return (
    <header class="top">
      <nav class="container main-nav" aria-label="Modules">
        <ul><li><a href="#/" class="brand">Tally</a></li></ul>
        {profile && (
          <ul class="modules">
            {modules.map((m) => (
              <li><a href={`#${m.home}`} aria-current={mod && mod.id === m.id ? "page" : undefined}>{m.label}</a></li>
            ))}
          </ul>
        )}
        {profile && (
          <ul id="whoami">
            <li><a href="#/settings" id="who" title="Your profile and settings"
              aria-current={current && current.path === "/settings" ? "page" : undefined}>{profile.name || profile.email}</a></li>
            <li><button id="sign-out" type="button" class="secondary outline" onClick={() => { signOut(); say("Signed out."); }}>Sign out</button></li>
          </ul>
        )}
      </nav>
      {subpages.length > 1 && (
        <nav class="container sub-nav" aria-label={`${mod.label} pages`}>
          <ul>
            {subpages.map((p) => (
              <li><a href={`#${p.path}`} aria-current={current.path === p.path ? "page" : undefined}>{p.label}</a></li>
            ))}
          </ul>
        </nav>
      )}
    </header>
  );
}

function Page({ def, params }) {
  const heading = useRef();
  useEffect(() => {
    document.title = `${def.title} · Tally`;
    // a new page: focus its heading, so a screen reader starts there (not on the first time shown)
    // (unless the page itself put the focus somewhere, e.g. on the field to fill in)
    const active = document.activeElement;
    const main = heading.current && heading.current.closest("main");
    if (heading.current && active && active !== document.body && !(main && main.contains(active))) heading.current.focus();
  }, [def]);
  const Component = def.component;
  return (
    <main class="container" id={def.id || undefined} data-page={def.path}>
      <h1 ref={heading} tabIndex={-1}>{def.title}</h1>
      <Component params={params} />
    </main>
  );
}

function App() {
  const profile = useProfile();
  const route = useRoute();
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const off = on("session-ended", () => signOut("Your session ended: please sign in again."));
    (async () => {
      await loadConfig();
      if (signedIn()) await loadProfile();
      setReady(true);
    })().catch((e) => { say(String(e), { error: true }); setReady(true); });
    return off;
  }, []);
  if (!ready) return <main class="container"><p aria-busy="true">Loading…</p></main>;
  const open = findPage(route.path);
  if (!profile && open && open.public) { // a page anyone may open without signing in (a ticket link, the cars listing)
    return (
      <>
        <Header />
        <div id="app"><Page key={open.path} def={open} params={route.params} /></div>
        <StatusHost />
      </>
    );
  }
  if (!profile) {
    return (
      <>
        <Header />
        <AuthPage />
        <StatusHost />
      </>
    );
  }
  let def = findPage(route.path);
  if (!def) {
    def = findPage(modules[0].home);
    if (route.path !== "/") setTimeout(() => go(modules[0].home));
  }
  return (
    <>
      <Header profile={profile} current={def} />
      <div id="app">
        <Page key={def.path} def={def} params={route.params} />
      </div>
      <StatusHost />
      <ConfirmHost />
    </>
  );
}

if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
render(<App />, document.getElementById("root"));

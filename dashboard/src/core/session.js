// Signing in and out: tokens (api.js), the profile (state.js), and what pages drop on sign-out.
import { api, endSession, startSession } from "./api.js";
import { emit } from "./bus.js";
import { pageError } from "./errors.js";
import { cachedProfile, setProfile } from "./state.js";
import { say } from "./ui.jsx";

export async function loadProfile() {
  const me = await api("GET", "/me");
  if (me.offline && cachedProfile()) { setProfile(cachedProfile()); return true; }
  if (!me.ok) { signOut(); return false; }
  setProfile(me.data);
  return true;
}

/** Sign in; the refusal (or null when signed in). `first`: what to do (signed in) before any page shows. */
export async function signIn(email, password, first = null) {
  const r = await api("POST", "/auth/sign-in", { email, password });
  if (!r.ok) return r;
  startSession(r.data);
  if (first) await first();
  await loadProfile();
  return null;
}

export function signOut(message) {
  // Tokens and cached data go; changes waiting offline stay in IndexedDB, kept for their owner.
  endSession();
  setProfile(null);
  emit("signed-out");
  if (message) say(message, { error: true });
}

export { pageError };

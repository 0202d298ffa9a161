// Who is signed in: their profile (time zone, home currency, name), shared by every page.
import { useState } from "preact/hooks";
import { emit } from "./bus.js";
import { useTopic } from "./ui.jsx";

const PROFILE_KEY = "tally.profile";
let profile = null;

export const getProfile = () => profile;
export const owner = () => (profile ? profile.sub : null);

export function setProfile(p) {
  profile = p;
  if (p) sessionStorage.setItem(PROFILE_KEY, JSON.stringify(p));
  emit("profile", p);
}

export const cachedProfile = () => JSON.parse(sessionStorage.getItem(PROFILE_KEY) || "null");

export function useProfile() {
  const [p, set] = useState(profile);
  useTopic("profile", set);
  return p;
}

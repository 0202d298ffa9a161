// What the shop's staff pages share: the organisations the person belongs to and the one chosen
// (remembered for the session, as the other modules do).
import { useEffect, useState } from "preact/hooks";
import { api } from "../core/api.js";

const ORG_KEY = "tally.org";
export const MANAGERS = ["owner", "manager"];

/** [orgs, org, choose]: the person's organisations, the chosen one, and a way to choose another. */
export function useShopOrg() {
  const [orgs, setOrgs] = useState(null);
  const [chosen, setChosen] = useState(sessionStorage.getItem(ORG_KEY));
  useEffect(() => {
    api("GET", "/orgs").then((r) => setOrgs(r.ok ? r.data.items : []));
  }, []);
  const org = orgs && (orgs.find((o) => o.org_id === chosen) || orgs[0] || null);
  const choose = (id) => { sessionStorage.setItem(ORG_KEY, id); setChosen(id); };
  return [orgs, org, choose];
}

export function OrgPicker({ orgs, org, choose }) {
  if (!orgs || orgs.length < 2) return null;
  return (
    <div class="filter">
      <label for="shop-org">Organisation</label>
      <select id="shop-org" value={org && org.org_id} onChange={(e) => choose(e.currentTarget.value)}>
        {orgs.map((o) => <option value={o.org_id}>{o.name}</option>)}
      </select>
    </div>
  );
}

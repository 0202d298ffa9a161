// Signing in and up (with time zone and home currency, detected from the browser and shown to
// change), the first-run guide and the profile settings.
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { browserCurrency, browserTimeZone, CURRENCIES, timeZones } from "../core/choices.js";
import { go } from "../core/router.js";
import { loadProfile, signIn } from "../core/session.js";
import { getProfile, useProfile } from "../core/state.js";
import { Check, Field, Form, say, useForm } from "../core/ui.jsx";
import { ConfirmCodeForm, SignInForm } from "./forms.jsx";

export function CurrencySelect({ label = "Home currency", name = "currency", value, ...rest }) {
  return (
    <Field as="select" label={label} name={name} init={value} {...rest}>
      {CURRENCIES.map((c) => <option value={c}>{c}</option>)}
    </Field>
  );
}

export function TimeZoneSelect({ value, ...rest }) {
  return (
    <Field as="select" label="Time zone" name="time_zone" init={value} {...rest}>
      {timeZones(value).map((z) => <option value={z}>{z.replace(/_/g, " ")}</option>)}
    </Field>
  );
}

export function AuthPage() {
  const signUpForm = useForm();
  const [confirming, setConfirming] = useState(null); // {email, password, zone, currency}: in memory only

  const finishSignUp = async (who, form) => {
    // the browser's (or chosen) time zone and home currency become the profile's, then the guide shows
    const refused = await signIn(who.email, who.password, async () => {
      await api("PUT", "/me", { time_zone: who.zone, currency: who.currency });
      go("/welcome");
    });
    if (refused) { form.fail(refused); return; }
    say("Welcome to Tally.");
  };

  return (
    <main id="auth" class="container">
      <h1>Tally: your money and your stock, at a glance</h1>
      <div class="grid auth-grid">
        <section aria-labelledby="sign-in-title">
          <h2 id="sign-in-title">Sign in</h2>
          <SignInForm id="sign-in-form" then={() => say("")} />
        </section>
        <section aria-labelledby="sign-up-title">
          <h2 id="sign-up-title">Create an account</h2>
          {!confirming && (
            <Form id="sign-up-form" form={signUpForm} checks={{ password: (v) => (v.length < 8 ? "Use at least 8 characters." : null) }}
              onSubmit={async (f) => {
                const who = { email: f.email.value.trim(), password: f.password.value, zone: f.time_zone.value,
                  currency: f.currency.value };
                const r = await api("POST", "/auth/sign-up", { email: who.email, password: who.password, name: f.name.value.trim() });
                if (!r.ok) { signUpForm.fail(r); return; }
                if (r.data.confirmed) { await finishSignUp(who, signUpForm); return; }
                setConfirming(who);
                say("We emailed you a code: enter it to confirm your account.");
              }}>
              <Field label="Name" name="name" autocomplete="name" />
              <Field label="Email" name="email" type="email" autocomplete="email" required data-required="Enter your email address." />
              <Field label="Password" name="password" type="password" autocomplete="new-password" required
                hint="At least 8 characters." data-required="Choose a password of at least 8 characters." />
              <div class="grid">
                <TimeZoneSelect value={browserTimeZone()} />
                <CurrencySelect value={browserCurrency()} />
              </div>
              <button type="submit">Sign up</button>
            </Form>
          )}
          {confirming && (
            <ConfirmCodeForm id="confirm-form" email={confirming.email} then={(form) => finishSignUp(confirming, form)} />
          )}
        </section>
      </div>
    </main>
  );
}

function Welcome() {
  const profile = useProfile();
  return (
    <>
      <p>You are set up in <strong>{profile.currency}</strong>, time zone <strong>{profile.time_zone.replace(/_/g, " ")}</strong>
        {" "}(<a href="#/settings">change</a>). Three steps to a useful dashboard:</p>
      <ol class="guide">
        <li><a href="#/expenses?add=1">Add your first entry</a>: what you spent today, or money coming in.</li>
        <li><a href="#/budgets">Set a monthly budget</a>: we email you at 80% and 100%, and warn you when the pace is too fast.</li>
        <li><a href="#/import">Import a bank statement</a> (CSV) to fill in past months.</li>
      </ol>
      <p>Running a shop? <a href="#/inventory/team">Create an organisation</a> to track stock, purchase orders and sales.</p>
      <p><a href="#/expenses" role="button">Go to the overview</a></p>
    </>
  );
}

function Settings() {
  const profile = useProfile();
  const form = useForm();
  if (!profile) return null;
  const prefs = profile.alert_preferences || {};
  return (
    <Form id="profile-form" form={form} onSubmit={async (f) => {
      const r = await api("PUT", "/me", { name: f.name.value, time_zone: f.time_zone.value,
        currency: f.currency.value, alert_preferences: {
          budget_alerts: f.budget_alerts.checked, pace_alerts: f.pace_alerts.checked, digest_alerts: f.digest_alerts.checked,
          stock_alerts: f.stock_alerts ? f.stock_alerts.checked : undefined } });
      if (!r.ok) { form.fail(r); return; }
      await loadProfile();
      form.ok("Profile saved.");
    }}>
      <Field label="Name" name="name" init={profile.name} autocomplete="name" />
      <div class="grid">
        <TimeZoneSelect value={profile.time_zone} />
        <CurrencySelect value={profile.currency} hint="Budgets and totals are in this currency." />
      </div>
      <fieldset>
        <legend>Emails</legend>
        <Check label="Budget emails" name="budget_alerts" init={prefs.budget_alerts} />
        <Check label="Pace warnings" name="pace_alerts" init={prefs.pace_alerts} />
        <Check label="Monthly digest" name="digest_alerts" init={prefs.digest_alerts} />
        {"stock_alerts" in prefs && <Check label="Stock alerts" name="stock_alerts" init={prefs.stock_alerts} />}
      </fieldset>
      <button type="submit">Save profile</button>
    </Form>
  );
}

export { Welcome, Settings, getProfile };

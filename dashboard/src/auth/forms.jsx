// The sign-in and confirmation-code forms, shared by the dashboard's sign-in page and the storefront's
// account page (one Cognito user pool: the same fields, messages and refusals under their field).
import { api } from "../core/api.js";
import { signIn } from "../core/session.js";
import { Field, Form, useForm } from "../core/ui.jsx";

/** Email and password; `then()` once signed in. `before()` runs first (the storefront loads its config). */
export function SignInForm({ id, then, before }) {
  const form = useForm();
  return (
    <Form id={id} form={form} onSubmit={async (f) => {
      if (before) await before();
      const refused = await signIn(f.email.value.trim(), f.password.value);
      if (refused) { form.fail(refused); return; }
      await then();
    }}>
      <Field label="Email" name="email" type="email" autocomplete="username" required data-required="Enter your email address." />
      <Field label="Password" name="password" type="password" autocomplete="current-password" required data-required="Enter your password." />
      <button type="submit">Sign in</button>
    </Form>
  );
}

/** The code Cognito emailed after signing up; `then(form)` once confirmed (to sign in, showing a refusal on `form`). */
export function ConfirmCodeForm({ id, email, then }) {
  const form = useForm();
  return (
    <Form id={id} form={form} onSubmit={async (f) => {
      const r = await api("POST", "/auth/confirm", { email, code: f.code.value.trim() });
      if (!r.ok) { form.fail(r); return; }
      await then(form);
    }}>
      <Field label="Confirmation code" name="code" required autocomplete="one-time-code" data-required="Enter the code we emailed you." />
      <button type="submit">Confirm</button>
    </Form>
  );
}

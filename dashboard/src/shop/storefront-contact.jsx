// How a shopper's email and mobile number are asked for on the storefront (checkout, follow, notify me):
// the same checks, messages and field. The server checks the number with libphonenumber (400 `phone`).
import { Field } from "../core/ui.jsx";

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+?[0-9 ()./-]{6,24}$/; // the API's PHONE_LIKE: plainly a number, not yet a valid one
const PHONE_HINT = "In international form, e.g. +44 7911 123456.";

/** Form checks for the fields named `email` and `phone`. */
export const contactChecks = {
  email: (v) => (EMAIL.test(v) ? null : "Enter your email, e.g. name@example.com."),
  phone: (v) => (PHONE.test(v) ? null : `Enter a mobile number. ${PHONE_HINT}`),
};

/** The mobile number to text, required while shown. */
export function PhoneField({ shown }) {
  return (
    <Field label="Mobile number" name="phone" type="tel" autocomplete="tel" hint={PHONE_HINT}
      hidden={!shown} required={shown} data-required={`Enter the number to text. ${PHONE_HINT}`} />
  );
}

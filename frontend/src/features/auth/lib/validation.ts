// Client-side checks mirroring the API's (shared/pybase/auth/schemas.py), so mistakes show at once;
// the server stays the authority and its field errors are shown the same way.

export type FormErrors<K extends string> = Partial<Record<K, string>>;

const EMAIL = /^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$/;
export const MIN_PASSWORD = 8;

export function validateEmail(email: string): string | undefined {
  const value = email.trim();
  if (!value) return "Enter your email address.";
  if (value.length > 320 || !EMAIL.test(value)) return "Enter a valid email address, like ada@example.com.";
  return undefined;
}

export function validateSignIn(values: { email: string; password: string }): FormErrors<"email" | "password"> {
  const errors: FormErrors<"email" | "password"> = {};
  if (!values.email.trim()) errors.email = "Enter your email address.";
  if (!values.password) errors.password = "Enter your password.";
  return errors;
}

export function validateSignUp(values: { name: string; email: string; password: string }): FormErrors<"name" | "email" | "password"> {
  const errors: FormErrors<"name" | "email" | "password"> = {};
  const name = values.name.trim();
  if (!name) errors.name = "Enter your name.";
  else if (name.length > 200) errors.name = "Use at most 200 characters.";
  const email = validateEmail(values.email);
  if (email) errors.email = email;
  if (values.password.length < MIN_PASSWORD) errors.password = `Use at least ${MIN_PASSWORD} characters.`;
  else if (values.password.length > 256) errors.password = "Use at most 256 characters.";
  return errors;
}

export function hasErrors(errors: Record<string, string | undefined>): boolean {
  return Object.values(errors).some(Boolean);
}

export interface AccountValues {
  name: string;
  email: string;
  password: string;
  confirm: string;
  currentPassword: string;
}

/** Changing the email or the password needs the current password (the API enforces it too). */
export function validateAccount(values: AccountValues, current: { name: string; email: string }): FormErrors<keyof AccountValues> {
  const errors: FormErrors<keyof AccountValues> = {};
  const name = values.name.trim();
  if (!name) errors.name = "Enter your name.";
  else if (name.length > 200) errors.name = "Use at most 200 characters.";
  const emailChanged = values.email.trim().toLowerCase() !== current.email.toLowerCase();
  if (emailChanged) {
    const problem = validateEmail(values.email);
    if (problem) errors.email = problem;
  }
  if (values.password) {
    if (values.password.length < MIN_PASSWORD) errors.password = `Use at least ${MIN_PASSWORD} characters.`;
    else if (values.password !== values.confirm) errors.confirm = "The two passwords differ.";
  }
  if ((emailChanged || values.password) && !values.currentPassword) {
    errors.currentPassword = "Enter your current password to change your email or password.";
  }
  return errors;
}

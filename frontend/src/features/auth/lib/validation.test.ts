import { describe, expect, it } from "vitest";

import { hasErrors, validateAccount, validateSignIn, validateSignUp } from "@/features/auth/lib/validation";

describe("sign-in and sign-up validation", () => {
  it("requires email and password to sign in", () => {
    expect(validateSignIn({ email: "", password: "" })).toEqual({ email: "Enter your email address.", password: "Enter your password." });
    expect(hasErrors(validateSignIn({ email: "a@b.co", password: "x" }))).toBe(false);
  });

  it("checks name, email shape and password length to sign up", () => {
    const errors = validateSignUp({ name: " ", email: "ada@", password: "short" });
    expect(errors.name).toBe("Enter your name.");
    expect(errors.email).toMatch(/valid email/);
    expect(errors.password).toBe("Use at least 8 characters.");
    expect(validateSignUp({ name: "Ada", email: "ada@example.com", password: "correct horse" })).toEqual({});
  });
});

describe("validateAccount", () => {
  const current = { name: "Ada", email: "ada@example.com" };
  const base = { name: "Ada", email: "ada@example.com", password: "", confirm: "", currentPassword: "" };

  it("lets the name change alone", () => {
    expect(validateAccount({ ...base, name: "Ada L." }, current)).toEqual({});
  });

  it("asks for the current password to change email or password", () => {
    expect(validateAccount({ ...base, email: "ada@new.io" }, current).currentPassword).toBeDefined();
    expect(validateAccount({ ...base, email: "ADA@example.com" }, current)).toEqual({});
    expect(validateAccount({ ...base, password: "new password", confirm: "new password" }, current).currentPassword).toBeDefined();
  });

  it("checks the new password and its confirmation", () => {
    expect(validateAccount({ ...base, password: "short", confirm: "short", currentPassword: "x" }, current).password).toMatch(/8/);
    expect(validateAccount({ ...base, password: "new password", confirm: "new passw0rd", currentPassword: "x" }, current).confirm).toMatch(/differ/);
  });
});

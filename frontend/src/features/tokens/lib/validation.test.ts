import { describe, expect, it } from "vitest";

import { tokenRequest, validateTokenForm, type TokenForm } from "@/features/tokens/lib/validation";

const form = (over: Partial<TokenForm> = {}): TokenForm => ({
  name: "CI export",
  scope: "read",
  limitBases: false,
  baseIds: [],
  expiresInDays: "",
  ...over,
});

describe("validateTokenForm", () => {
  it("accepts a named token for every base without expiry", () => {
    expect(validateTokenForm(form())).toEqual({});
  });
  it("needs a name", () => {
    expect(validateTokenForm(form({ name: "  " })).name).toMatch(/Name the token/);
    expect(validateTokenForm(form({ name: "x".repeat(201) })).name).toMatch(/200/);
  });
  it("needs 1 to 100 bases when limited", () => {
    expect(validateTokenForm(form({ limitBases: true })).baseIds).toMatch(/at least one base/);
    expect(validateTokenForm(form({ limitBases: true, baseIds: ["app1"] }))).toEqual({});
    const many = Array.from({ length: 101 }, (_, i) => `app${i}`);
    expect(validateTokenForm(form({ limitBases: true, baseIds: many })).baseIds).toMatch(/At most 100/);
  });
  it("checks the expiry", () => {
    expect(validateTokenForm(form({ expiresInDays: "30" }))).toEqual({});
    for (const bad of ["0", "1.5", "abc", "3651"]) expect(validateTokenForm(form({ expiresInDays: bad })).expiresInDays).toBeDefined();
  });
});

describe("tokenRequest", () => {
  it("builds the API body", () => {
    expect(tokenRequest(form({ name: " CI ", scope: "write", expiresInDays: "30" }))).toEqual({
      name: "CI",
      scope: "write",
      base_ids: null,
      expires_in_days: 30,
    });
    expect(tokenRequest(form({ limitBases: true, baseIds: ["app1", "app2"] })).base_ids).toEqual(["app1", "app2"]);
  });
});

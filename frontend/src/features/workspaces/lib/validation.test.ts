import { describe, expect, it } from "vitest";

import { validateInviteEmail, validateName } from "@/features/workspaces/lib/validation";

describe("validateName", () => {
  it("accepts trimmed names up to 200 characters", () => {
    expect(validateName("  Parts ")).toBeUndefined();
    expect(validateName("x".repeat(200))).toBeUndefined();
  });
  it("rejects empty, too long and control characters", () => {
    expect(validateName("   ", "table name")).toBe("Enter a table name.");
    expect(validateName("x".repeat(201))).toMatch(/at most 200/);
    expect(validateName("a\nb")).toMatch(/control characters/);
  });
});

describe("validateInviteEmail", () => {
  it("checks the shape", () => {
    expect(validateInviteEmail("ada@example.com")).toBeUndefined();
    expect(validateInviteEmail("")).toBe("Enter an email address.");
    expect(validateInviteEmail("ada@")).toBe("Enter a valid email address.");
  });
});

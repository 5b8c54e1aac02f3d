import { describe, expect, it } from "vitest";

import { submission, submitErrors, validateForm, type FormFieldSchema } from "@/features/forms/lib/validation";
import { ApiError } from "@/lib/api/errors";

const field = (id: string, type: string, extra: Partial<FormFieldSchema> = {}): FormFieldSchema => ({
  field_id: id,
  name: id.replace("fld", ""),
  label: id.replace("fld", ""),
  type,
  required: false,
  ...extra,
});

const fields = [
  field("fldName", "single_line_text", { required: true, label: "Your name" }),
  field("fldEmail", "email"),
  field("fldQty", "number", { required: true }),
  field("fldSite", "url"),
  field("fldOk", "checkbox"),
];

describe("form validation before sending", () => {
  it("asks for required answers by their label", () => {
    const errors = validateForm(fields, { fldName: "   ", fldQty: "" });
    expect(errors).toEqual({ fldName: "Your name is required.", fldQty: "Qty is required." });
  });

  it("checks the shape of emails, numbers and web addresses", () => {
    const errors = validateForm(fields, { fldName: "Ada", fldQty: "ten", fldEmail: "ada.example.com", fldSite: "example.com" });
    expect(Object.keys(errors).sort()).toEqual(["fldEmail", "fldQty", "fldSite"]);
    expect(validateForm(fields, { fldName: "Ada", fldQty: "10,5", fldEmail: "ada@example.com", fldSite: "https://x.io" })).toEqual({});
  });

  it("sends numbers as numbers and leaves out empty answers", () => {
    expect(submission(fields, { fldName: " Ada ", fldQty: "2.5", fldEmail: "", fldOk: false })).toEqual({ fldName: "Ada", fldQty: 2.5 });
    expect(submission(fields, { fldOk: true })).toEqual({ fldOk: true });
  });
});

describe("the API's refusals", () => {
  it("puts each 422 detail on its field (by id, name or label)", () => {
    const error = new ApiError(422, "validation_failed", "The form submission is not valid; nothing was saved.", [
      { loc: ["fields", "fldQty"], message: "Qty is required" },
      { loc: ["fields", "Your name"], message: "too long" },
      { loc: ["records", 0, "fields", "fldEmail"], message: "not an email" },
    ]);
    const out = submitErrors(fields, error);
    expect(out.fields).toEqual({ fldQty: "Qty is required", fldName: "too long", fldEmail: "not an email" });
    expect(out.form).toBe("Some answers need another look.");
  });

  it("shows details it cannot place, and the rate limit's own message", () => {
    const unknown = new ApiError(422, "validation_failed", "Not valid", [{ loc: ["fields", "Gone"], message: "this form has no such field" }]);
    expect(submitErrors(fields, unknown)).toEqual({ fields: {}, form: "this form has no such field" });
    const limited = new ApiError(429, "rate_limited", "Too many submissions to this form from your address; try again in a minute.");
    expect(submitErrors(fields, limited).form).toMatch(/try again in a minute/);
    expect(submitErrors(fields, new TypeError("fetch failed")).form).toMatch(/could not be sent/);
  });
});

// Checks of a form before it is sent (the same rules the API applies: required fields, and the shape
// of typed values), and the API's answer turned into messages per field: a 422 lists problems with
// `loc: ["fields", <field id, name or label>]`; a 429 is the rate limit, said as the API says it.
import { ApiError } from "@/lib/api/errors";

export interface FormFieldSchema {
  field_id: string;
  name: string;
  label: string;
  type: string;
  required: boolean;
  help?: string | null | undefined;
  options?: Record<string, unknown> | undefined;
}

export type FormValues = Record<string, unknown>;
export type FieldErrors = Record<string, string>;

export function isEmpty(value: unknown): boolean {
  if (typeof value === "string") return value.trim() === "";
  return value === null || value === undefined || (Array.isArray(value) && value.length === 0);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const NUMERIC = new Set(["number", "currency", "percent", "rating", "duration"]);

function shapeError(field: FormFieldSchema, value: unknown): string | null {
  if (isEmpty(value) || typeof value !== "string") return null;
  const text = value.trim();
  if (field.type === "email" && !EMAIL.test(text)) return "Enter an email address like name@example.com.";
  if (field.type === "url" && !/^https?:\/\/\S+$/i.test(text)) return "Enter a web address starting with http:// or https://.";
  if (NUMERIC.has(field.type) && field.type !== "duration" && Number.isNaN(Number(text.replace(",", ".")))) return "Enter a number.";
  return null;
}

/** Problems found before sending, by field id. */
export function validateForm(fields: FormFieldSchema[], values: FormValues): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of fields) {
    const value = values[field.field_id];
    if (field.required && isEmpty(value) && value !== false) {
      errors[field.field_id] = `${field.label} is required.`;
      continue;
    }
    const problem = shapeError(field, value);
    if (problem) errors[field.field_id] = problem;
  }
  return errors;
}

/** The values to send: numbers as numbers, empty answers left out. */
export function submission(fields: FormFieldSchema[], values: FormValues): FormValues {
  const out: FormValues = {};
  for (const field of fields) {
    const value = values[field.field_id];
    if (isEmpty(value) || value === false) continue;
    if (NUMERIC.has(field.type) && field.type !== "duration" && typeof value === "string") out[field.field_id] = Number(value.trim().replace(",", "."));
    else out[field.field_id] = typeof value === "string" ? value.trim() : value;
  }
  return out;
}

interface Detail {
  loc?: unknown;
  message?: unknown;
}

/** The API's refusal as per-field messages (keyed by field id) and a message for the whole form. */
export function submitErrors(fields: FormFieldSchema[], error: unknown): { fields: FieldErrors; form: string | null } {
  if (!(error instanceof ApiError)) return { fields: {}, form: "The form could not be sent. Check your connection and try again." };
  if (error.status === 429) return { fields: {}, form: error.message || "Too many submissions; try again in a minute." };
  const out: FieldErrors = {};
  const details = Array.isArray(error.details) ? (error.details as Detail[]) : [];
  const unplaced: string[] = [];
  for (const detail of details) {
    const loc = Array.isArray(detail.loc) ? detail.loc.map(String) : [];
    // ["fields", key] from the form check; the records engine nests it (["records", 0, "fields", id]).
    const at = loc.lastIndexOf("fields");
    const key = at >= 0 ? loc[at + 1] : undefined;
    const field = fields.find((f) => f.field_id === key || f.name === key || f.label === key);
    const message = typeof detail.message === "string" ? detail.message : error.message;
    if (field && !out[field.field_id]) out[field.field_id] = message;
    else if (!field) unplaced.push(message);
  }
  if (Object.keys(out).length === 0 && unplaced.length === 0) return { fields: {}, form: error.message };
  return { fields: out, form: unplaced.length > 0 ? unplaced.join(" ") : Object.keys(out).length > 0 ? "Some answers need another look." : null };
}

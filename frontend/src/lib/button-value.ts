// A button field's cell value ({"label", "url"}), read the same way by the grid, cards and panels.
import type { FieldDef } from "@/types/api";

/** A button cell's label and URL ({"label", "url"}); the field's label when the cell has none. */
export function buttonValue(value: unknown, field: FieldDef): { label: string; url: string | null } {
  const v = typeof value === "object" && value !== null ? (value as { label?: unknown; url?: unknown }) : {};
  const fallback = typeof field.options.label === "string" ? field.options.label : "Open";
  const label = typeof v.label === "string" && v.label ? v.label : fallback;
  // Only web and mail links open: a formula giving "javascript:…" must not run in this page.
  const url = typeof v.url === "string" && /^(https?:|mailto:)/i.test(v.url.trim()) ? v.url.trim() : null;
  return { label, url };
}

// Plain-text display of record values for cards (kanban, gallery, calendar) and the cover image of
// an attachment value. Attachment objects carry signed thumbnail URLs: DXF drawings get an SVG
// preview and PDFs a PNG of their first page (shared/pybase/files), so a thumbnail is preferred
// over the file itself, which is only shown when it is an image.
import type { FieldDef } from "@/types/api";

export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "✓" : "";
  if (Array.isArray(value)) return value.map(displayValue).filter(Boolean).join(", ");
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    const named = v.display ?? v.name ?? v.filename ?? v.text ?? v.value;
    return named === undefined ? JSON.stringify(value) : displayValue(named);
  }
  return String(value);
}

interface AttachmentLike {
  url?: unknown;
  type?: unknown;
  filename?: unknown;
  thumbnails?: unknown;
}

/** The image to show for an attachment value: its first preview, else the first image file. */
export function coverImage(value: unknown): { url: string; alt: string } | null {
  if (!Array.isArray(value)) return null;
  for (const raw of value) {
    if (!raw || typeof raw !== "object") continue;
    const item = raw as AttachmentLike;
    const alt = typeof item.filename === "string" ? item.filename : "attachment";
    const thumbs = Array.isArray(item.thumbnails) ? (item.thumbnails as { url?: unknown }[]) : [];
    const thumb = thumbs.find((t) => typeof t?.url === "string");
    if (thumb) return { url: thumb.url as string, alt };
    if (typeof item.url === "string" && typeof item.type === "string" && item.type.startsWith("image/")) {
      return { url: item.url, alt };
    }
  }
  return null;
}

/** Fields a view shows, in its order: `field_order` first, then by position, minus `hidden_fields`. */
export function visibleFields(fields: FieldDef[], config: Record<string, unknown>): FieldDef[] {
  const hidden = new Set(Array.isArray(config.hidden_fields) ? (config.hidden_fields as string[]) : []);
  const order = Array.isArray(config.field_order) ? (config.field_order as string[]) : [];
  const byId = new Map(fields.map((f) => [f.id, f]));
  const ordered = order.map((id) => byId.get(id)).filter((f): f is FieldDef => f !== undefined);
  const seen = new Set(ordered.map((f) => f.id));
  const rest = [...fields].sort((a, b) => a.position - b.position).filter((f) => !seen.has(f.id));
  return [...ordered, ...rest].filter((f) => !hidden.has(f.id));
}

export interface Choice {
  id: string;
  name: string;
  color?: string;
}

export function choicesOf(field: FieldDef): Choice[] {
  const raw = field.options.choices;
  return Array.isArray(raw) ? (raw as Choice[]).filter((c) => typeof c?.name === "string") : [];
}

// Option colours of the API (select.py COLORS) as light chip backgrounds with dark text (contrast).
const CHIP: Record<string, string> = {
  blue: "#dbeafe", cyan: "#cffafe", teal: "#ccfbf1", green: "#dcfce7", yellow: "#fef9c3",
  orange: "#ffedd5", red: "#fee2e2", pink: "#fce7f3", purple: "#f3e8ff", gray: "#f3f4f6",
};

export function chipBackground(color: string | undefined): string {
  return CHIP[(color ?? "gray").replace(/^(light|dark)_/, "")] ?? "#f3f4f6";
}

// The view types a table can have, as the tabs name and create them, and the settings a new view of
// each type starts with: the first field that fits (a kanban stacks by a single select or user
// field, a calendar needs a date, a gallery takes the first attachment field as its cover).
import type { FieldDef } from "@/types/api";

export const VIEW_TYPES = ["grid", "kanban", "gallery", "calendar", "form"] as const;
export type ViewType = (typeof VIEW_TYPES)[number];

export const VIEW_TYPE_LABELS: Record<ViewType, string> = {
  grid: "Grid",
  kanban: "Kanban",
  gallery: "Gallery",
  calendar: "Calendar",
  form: "Form",
};

export function isViewType(type: string): type is ViewType {
  return (VIEW_TYPES as readonly string[]).includes(type);
}

// Fields a form cannot ask for: computed ones, and those needing a picker the public form lacks.
const NOT_ON_FORMS = new Set([
  "autonumber", "created_time", "last_modified_time", "created_by", "last_modified_by", "formula", "rollup", "lookup",
  "count", "button", "attachment", "link", "user",
]);

/** The config a new view of `type` starts with, or why it cannot be made with these fields. */
export function initialConfig(type: ViewType, fields: FieldDef[]): { config: Record<string, unknown> } | { problem: string } {
  const first = (types: string[]) => [...fields].sort((a, b) => a.position - b.position).find((f) => types.includes(f.type))?.id;
  const cover = first(["attachment"]);
  switch (type) {
    case "grid":
      return { config: {} };
    case "kanban": {
      const stack = first(["single_select", "user"]);
      return stack
        ? { config: { stack_field_id: stack, ...(cover ? { cover_field_id: cover } : {}) } }
        : { problem: "A kanban needs a single select or user field to stack by." };
    }
    case "calendar": {
      const date = first(["date", "datetime"]);
      return date ? { config: { date_field_id: date } } : { problem: "A calendar needs a date or date-time field." };
    }
    case "gallery":
      return { config: cover ? { cover_field_id: cover } : {} };
    case "form":
      return { config: { fields: fields.filter((f) => !NOT_ON_FORMS.has(f.type) && !f.read_only).map((f) => ({ field_id: f.id, required: false })) } };
  }
}

/** A copy's config: everything but what must stay unique to the original (a form's share link: the copy starts unshared). */
export function duplicateConfig(config: Record<string, unknown>): Record<string, unknown> {
  const { share_token: _share, public: _public, ...rest } = config;
  return rest;
}

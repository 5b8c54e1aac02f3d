// The record panel's editor of one field: a typed input for the simple types, saved on blur; other
// types are shown read-only (their full editors live in the grid).
import { useEffect, useState } from "react";

import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { describeValue } from "@/features/records/lib/history";
import type { FieldDef } from "@/types/api";

type Kind = "text" | "long" | "number" | "checkbox" | "date" | "select" | "readonly";

const KINDS: Record<string, Kind> = {
  text: "text",
  single_line_text: "text",
  email: "text",
  url: "text",
  phone: "text",
  dimension: "text",
  thread: "text",
  material: "text",
  surface_finish: "text",
  long_text: "long",
  number: "number",
  currency: "number",
  percent: "number",
  rating: "number",
  duration: "number",
  checkbox: "checkbox",
  date: "date",
  single_select: "select",
};

/** How the panel edits a field of this type; read-only for computed fields and viewers. */
export function editorKind(field: FieldDef, canEdit: boolean): Kind {
  if (!canEdit || field.read_only) return "readonly";
  return KINDS[field.type] ?? "readonly";
}

function choices(field: FieldDef): string[] {
  const raw = field.options.choices;
  if (!Array.isArray(raw)) return [];
  return raw.map((c) => (typeof c === "string" ? c : String((c as { name?: unknown }).name ?? ""))).filter(Boolean);
}

export function FieldEditor({
  field,
  value,
  canEdit,
  onSave,
}: {
  field: FieldDef;
  value: unknown;
  canEdit: boolean;
  onSave: (value: unknown) => void;
}) {
  const kind = editorKind(field, canEdit);
  const shown = value === null || value === undefined ? "" : typeof value === "object" ? describeValue(value) : String(value);
  const [draft, setDraft] = useState(shown);
  useEffect(() => setDraft(shown), [shown]);
  const id = `field-${field.id}`;
  const commit = (next: string) => {
    if (next === shown) return;
    if (kind === "number") onSave(next.trim() === "" ? null : Number.isNaN(Number(next)) ? next : Number(next));
    else onSave(next === "" ? null : next);
  };

  let control;
  switch (kind) {
    case "checkbox":
      control = <Checkbox id={id} checked={value === true} onCheckedChange={(checked) => onSave(checked === true)} />;
      break;
    case "long":
      control = <Textarea id={id} value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={() => commit(draft)} />;
      break;
    case "select":
      control = (
        <select
          id={id}
          className="h-9 w-full rounded-md border bg-transparent px-2 text-sm"
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            commit(e.target.value);
          }}
        >
          <option value="">—</option>
          {choices(field).map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      );
      break;
    case "date":
      control = <Input id={id} type="date" value={draft.slice(0, 10)} onChange={(e) => setDraft(e.target.value)} onBlur={() => commit(draft)} />;
      break;
    case "text":
    case "number":
      control = (
        <Input
          id={id}
          inputMode={kind === "number" ? "decimal" : undefined}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => commit(draft)}
          onKeyDown={(e) => {
            if (e.key === "Enter") commit(draft);
          }}
        />
      );
      break;
    default:
      control = (
        <p id={id} className="text-muted-foreground min-h-6 text-sm break-words">
          {describeValue(value)}
        </p>
      );
  }
  return (
    <div className="space-y-1" data-testid="panel-field" data-field={field.name}>
      <label htmlFor={id} className="text-muted-foreground text-xs font-medium">
        {field.name}
      </label>
      {control}
    </div>
  );
}

// The record panel's editor of one field: typed inputs saved on blur, pickers saved on change
// (multiple select, rating, user from the people who can see the table), durations as h:mm, people
// by name with their avatar, buttons that open their URL. Engineering values (dimension, thread,
// material, surface finish) are typed as text read as they are typed ("10.5 ±0.1 mm" reads as a value
// with a symmetric tolerance; a typo shows its error and is not sent); the write's typecast parses it.
import { Star } from "lucide-react";
import { useEffect, useRef, useState } from "react";

import { Checkbox } from "@/components/ui/checkbox";
import { FieldButton } from "@/components/ui/field-button";
import { Input } from "@/components/ui/input";
import { ReadingHint } from "@/components/ui/reading-hint";
import { Textarea } from "@/components/ui/textarea";
import { UserChip, UserChips, userIds } from "@/components/ui/user-chip";
import { ENGINEERING_READERS, engineeringText, readEngineering } from "@/lib/engineering";
import { describeValue } from "@/features/records/lib/history";
import type { Person } from "@/features/records/lib/mentions";
import { buttonValue } from "@/lib/button-value";
import type { FieldDef } from "@/types/api";

type Kind =
  | "text"
  | "long"
  | "number"
  | "checkbox"
  | "date"
  | "datetime"
  | "select"
  | "multi"
  | "rating"
  | "duration"
  | "user"
  | "people"
  | "button"
  | "structured"
  | "readonly";

const PEOPLE_TYPES = new Set(["user", "created_by", "last_modified_by"]);

const KINDS: Record<string, Kind> = {
  text: "text",
  single_line_text: "text",
  email: "text",
  url: "text",
  phone: "text",
  barcode: "text",
  dimension: "structured",
  thread: "structured",
  material: "structured",
  surface_finish: "structured",
  long_text: "long",
  number: "number",
  currency: "number",
  percent: "number",
  rating: "rating",
  duration: "duration",
  checkbox: "checkbox",
  date: "date",
  datetime: "datetime",
  single_select: "select",
  multiple_select: "multi",
  user: "user",
};

/** How the panel edits a field of this type; read-only for computed fields and viewers. */
export function editorKind(field: FieldDef, canEdit: boolean): Kind {
  // Shown the same way whether or not it can be edited.
  if (field.type === "button") return "button";
  if (!canEdit || field.read_only) return PEOPLE_TYPES.has(field.type) ? "people" : "readonly";
  return KINDS[field.type] ?? "readonly";
}

/** Seconds as h:mm (h:mm:ss when there are seconds). */
export function formatDuration(value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "";
  const total = Math.round(Math.abs(value));
  const h = Math.floor(total / 3600);
  const m = String(Math.floor((total % 3600) / 60)).padStart(2, "0");
  const sec = total % 60;
  return `${value < 0 ? "-" : ""}${h}:${m}${sec ? `:${String(sec).padStart(2, "0")}` : ""}`;
}

/** "1:30" / "1:30:15" -> seconds; a bare number is minutes; anything else is sent as typed (typecast). */
export function parseDuration(text: string): number | string | null {
  const t = text.trim();
  if (t === "") return null;
  if (/^\d+(:\d{1,2}){1,2}$/.test(t)) {
    const [h = 0, m = 0, sec = 0] = t.split(":").map(Number);
    return h * 3600 + m * 60 + sec;
  }
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 60;
  return t;
}

/** An instant as the datetime-local input wants it: the viewer's wall time, to the minute. */
export function localDateTime(value: unknown): string {
  if (typeof value !== "string") return "";
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
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
  people = [],
}: {
  field: FieldDef;
  value: unknown;
  canEdit: boolean;
  /** A promise that rejects when the save failed: the same text can then be sent again. */
  onSave: (value: unknown) => Promise<unknown> | undefined;
  /** The people who can see the table: names for user values and the user picker's choices. */
  people?: readonly Person[];
}) {
  const kind = editorKind(field, canEdit);
  const names = new Map(people.map((p) => [p.id, p.name]));
  const shown =
    value === null || value === undefined
      ? ""
      : kind === "duration"
        ? formatDuration(value)
        : kind === "datetime"
          ? localDateTime(value)
        : field.type in ENGINEERING_READERS
          ? engineeringText(value)
          : typeof value === "object"
          ? describeValue(value)
          : String(value);
  const [draft, setDraft] = useState(shown);
  // The text last sent: Enter then leaving the box would otherwise send it twice.
  const sent = useRef<string | null>(null);
  useEffect(() => {
    setDraft(shown);
    sent.current = null;
  }, [shown]);
  const id = `field-${field.id}`;
  // Read only once changed: the stored value needs no echo.
  const reading = kind === "structured" && draft !== shown ? readEngineering(field.type, field.options, draft) : null;
  const commit = (next: string) => {
    if (next === shown) return;
    // A value that does not read is kept in the box with its error, not sent.
    if (kind === "structured" && reading && !reading.ok) return;
    if (next === sent.current) return;
    sent.current = next;
    const value =
      kind === "duration"
        ? parseDuration(next)
        : // The picker's local wall time, sent as the instant it names.
          kind === "datetime"
          ? next === "" ? null : new Date(next).toISOString()
          : kind === "number"
            ? next.trim() === "" ? null : Number.isNaN(Number(next)) ? next : Number(next)
            : next === "" ? null : next;
    // The failure itself is shown by whoever saves; here it only means Enter may send this again.
    void Promise.resolve(onSave(value)).catch(() => {
      if (sent.current === next) sent.current = null;
    });
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
    case "datetime":
      control = <Input id={id} type="datetime-local" value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={() => commit(draft)} />;
      break;
    case "multi": {
      const selected = Array.isArray(value) ? value.map(String) : [];
      control = (
        <fieldset id={id} className="flex flex-wrap gap-x-3 gap-y-1" aria-label={field.name}>
          {choices(field).map((choice) => (
            <label key={choice} className="flex items-center gap-1 text-sm">
              <input
                type="checkbox"
                checked={selected.includes(choice)}
                onChange={(e) => {
                  const next = e.target.checked ? [...selected, choice] : selected.filter((c) => c !== choice);
                  onSave(next.length ? next : null);
                }}
              />
              {choice}
            </label>
          ))}
          {choices(field).length === 0 ? <span className="text-xs text-muted-foreground">No options yet (add them in the field's settings).</span> : null}
        </fieldset>
      );
      break;
    }
    case "rating": {
      const max = typeof field.options.max === "number" ? field.options.max : 5;
      const current = typeof value === "number" ? value : 0;
      control = (
        <div id={id} role="radiogroup" aria-label={field.name} className="flex gap-0.5">
          {Array.from({ length: max }, (_, i) => i + 1).map((n) => (
            <button
              key={n}
              type="button"
              role="radio"
              aria-checked={current === n}
              aria-label={`${n} of ${max}`}
              className="rounded p-0.5 hover:bg-accent"
              // Choosing the current rating again clears it, as in Airtable.
              onClick={() => onSave(current === n ? null : n)}
            >
              <Star className={n <= current ? "h-4 w-4 fill-amber-400 text-amber-500" : "h-4 w-4 text-muted-foreground"} aria-hidden />
            </button>
          ))}
        </div>
      );
      break;
    }
    case "user": {
      const multiple = field.options.multiple === true;
      const selected = userIds(value);
      // Someone already in the cell stays listed even when no longer among the people.
      const choicesList = [...people, ...selected.filter((uid) => !names.has(uid)).map((uid) => ({ id: uid, name: uid }))];
      control = multiple ? (
        <fieldset id={id} className="grid gap-1" aria-label={field.name}>
          {choicesList.map((person) => (
            <label key={person.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={selected.includes(person.id)}
                onChange={(e) => {
                  const next = e.target.checked ? [...selected, person.id] : selected.filter((uid) => uid !== person.id);
                  onSave(next.length ? next : null);
                }}
              />
              <UserChip id={person.id} name={person.name} />
            </label>
          ))}
        </fieldset>
      ) : (
        <div className="flex items-center gap-2">
          <select
            id={id}
            className="h-9 flex-1 rounded-md border bg-transparent px-2 text-sm"
            value={selected[0] ?? ""}
            onChange={(e) => onSave(e.target.value === "" ? null : e.target.value)}
          >
            <option value="">—</option>
            {choicesList.map((person) => (
              <option key={person.id} value={person.id}>
                {person.name}
              </option>
            ))}
          </select>
          {selected[0] ? <UserChip id={selected[0]} name={names.get(selected[0])} /> : null}
        </div>
      );
      break;
    }
    case "people":
      control = (
        <div id={id} className="min-h-6">
          <UserChips value={value} names={names} />
        </div>
      );
      break;
    case "button": {
      const button = buttonValue(value, field);
      control = (
        <div id={id}>
          <FieldButton label={button.label} url={button.url} />
        </div>
      );
      break;
    }
    case "structured": {
      const hint = `${id}-reading`;
      control = (
        <>
          <Input
            id={id}
            value={draft}
            aria-invalid={reading ? !reading.ok : undefined}
            aria-describedby={reading ? hint : undefined}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={() => commit(draft)}
            onKeyDown={(e) => {
              if (e.key === "Enter") commit(draft);
            }}
          />
          <ReadingHint id={hint} reading={reading} />
        </>
      );
      break;
    }
    case "text":
    case "number":
    case "duration":
      control = (
        <Input
          id={id}
          inputMode={kind === "number" ? "decimal" : undefined}
          placeholder={kind === "duration" ? "h:mm" : undefined}
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
          {field.type in ENGINEERING_READERS && value ? engineeringText(value) : describeValue(value)}
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

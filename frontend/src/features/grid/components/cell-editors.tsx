// Overlay editors for chip cells, loaded on first use (code-split from the grid): select options
// (pick, or type a new one: the write's typecast adds it to the field) and linked records (search
// the linked table by its primary field).
import type { ProvideEditorComponent } from "@glideapps/glide-data-grid";
import { Check, Plus, X } from "lucide-react";
import { useEffect, useState } from "react";

import { Button } from "@/components/ui/button";
import { Command, CommandEmpty, CommandGroup, CommandInput, CommandItem, CommandList } from "@/components/ui/command";
import { linkedTablePrimary, searchRecords } from "@/features/grid/api/records";
import { useGridContext } from "@/features/grid/components/grid-context";
import type { ChipsCell } from "@/features/grid/lib/chips-cell";
import { anyText, chipColor, choicesOf } from "@/features/grid/lib/field-values";
import { errorMessage } from "@/lib/api/errors";
import type { FieldDef } from "@/types/api";

type EditorProps = Parameters<ProvideEditorComponent<ChipsCell>>[0];

function withValue(cell: ChipsCell, value: unknown): ChipsCell {
  return { ...cell, data: { ...cell.data, value } };
}

function asNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(anyText);
  return value === null || value === undefined || value === "" ? [] : [anyText(value)];
}

export function SelectPicker({
  field,
  value,
  onChange,
  onDone,
}: {
  field: FieldDef;
  value: unknown;
  onChange: (value: unknown) => void;
  onDone?: () => void;
}) {
  const multiple = field.type === "multiple_select";
  const [search, setSearch] = useState("");
  const selected = asNames(value);
  const choices = choicesOf(field);
  const typed = search.trim();
  const isNew = typed !== "" && !choices.some((c) => c.name.toLowerCase() === typed.toLowerCase());

  function pick(name: string) {
    if (!multiple) {
      onChange(selected[0] === name ? null : name);
      onDone?.();
      return;
    }
    const next = selected.includes(name) ? selected.filter((n) => n !== name) : [...selected, name];
    onChange(next.length ? next : null);
    setSearch("");
  }

  return (
    <Command className="w-64 rounded-md border bg-popover shadow-md" aria-label={`Options of ${field.name}`}>
      <CommandInput value={search} onValueChange={setSearch} placeholder="Find or create an option" autoFocus />
      <CommandList>
        <CommandEmpty>No options.</CommandEmpty>
        <CommandGroup>
          {choices.map((choice) => (
            <CommandItem key={choice.id ?? choice.name} value={choice.name} onSelect={() => pick(choice.name)}>
              <span className="rounded-full px-2 py-0.5 text-xs text-gray-900" style={{ backgroundColor: chipColor(choice.color) }}>
                {choice.name}
              </span>
              {selected.includes(choice.name) && <Check className="ml-auto h-4 w-4" aria-label="selected" />}
            </CommandItem>
          ))}
          {isNew && (
            <CommandItem value={`create ${typed}`} onSelect={() => pick(typed)}>
              <Plus className="h-4 w-4" /> Create option “{typed}”
            </CommandItem>
          )}
        </CommandGroup>
      </CommandList>
      {multiple && onDone && (
        <div className="flex justify-end border-t p-1">
          <Button size="sm" onClick={onDone}>
            Done
          </Button>
        </div>
      )}
    </Command>
  );
}

interface Linked {
  id: string;
  name: string;
}

function asLinks(value: unknown): Linked[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((item) => (typeof item === "object" && item ? (item as Linked) : { id: String(item), name: String(item) }))
    .filter((item) => typeof item.id === "string");
}

export function LinkPicker({
  field,
  value,
  onChange,
  onDone,
}: {
  field: FieldDef;
  value: unknown;
  onChange: (value: Linked[] | null) => void;
  onDone?: () => void;
}) {
  const linkedTable = typeof field.options.linked_table_id === "string" ? field.options.linked_table_id : "";
  const single = field.options.prefers_single_record === true || field.options.single === true;
  const [search, setSearch] = useState("");
  const [primary, setPrimary] = useState<string | null | undefined>(undefined);
  const [results, setResults] = useState<Linked[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const linked = asLinks(value);

  useEffect(() => {
    let live = true;
    linkedTablePrimary(linkedTable)
      .then((id) => live && setPrimary(id))
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [linkedTable]);

  useEffect(() => {
    if (primary === undefined) return undefined;
    let live = true;
    const timer = setTimeout(() => {
      searchRecords(linkedTable, primary, search)
        .then((found) => {
          if (live) {
            setResults(found);
            setError(null);
          }
        })
        .catch((e: unknown) => live && setError(errorMessage(e)));
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [linkedTable, primary, search]);

  function toggle(item: Linked) {
    if (linked.some((l) => l.id === item.id)) {
      const next = linked.filter((l) => l.id !== item.id);
      onChange(next.length ? next : null);
      return;
    }
    onChange(single ? [item] : [...linked, item]);
    if (single) onDone?.();
  }

  return (
    <div className="w-72 rounded-md border bg-popover shadow-md" data-testid="link-picker">
      {linked.length > 0 && (
        <ul className="flex flex-wrap gap-1 border-b p-2" aria-label="Linked records">
          {linked.map((item) => (
            <li key={item.id} className="flex items-center gap-1 rounded-full bg-muted px-2 py-0.5 text-xs">
              {item.name || item.id}
              <button type="button" aria-label={`Unlink ${item.name || item.id}`} onClick={() => toggle(item)}>
                <X className="h-3 w-3" />
              </button>
            </li>
          ))}
        </ul>
      )}
      <Command shouldFilter={false} aria-label={`Find records to link in ${field.name}`}>
        <CommandInput value={search} onValueChange={setSearch} placeholder="Search records" autoFocus />
        {/* Busy until the first answer: an empty list is then "still loading", not "nothing found". */}
        <CommandList aria-busy={results === null && !error}>
          {error ? (
            <p role="alert" className="p-2 text-sm text-destructive">
              {error}
            </p>
          ) : results === null ? (
            <p className="p-2 text-sm text-muted-foreground">Searching…</p>
          ) : (
            <CommandEmpty>No records found.</CommandEmpty>
          )}
          {results && results.length > 0 ? (
            <CommandGroup>
              {results.map((item) => (
                <CommandItem key={item.id} value={item.id} onSelect={() => toggle(item)}>
                  {item.name || item.id}
                  {linked.some((l) => l.id === item.id) && <Check className="ml-auto h-4 w-4" aria-label="linked" />}
                </CommandItem>
              ))}
            </CommandGroup>
          ) : null}
        </CommandList>
      </Command>
      {onDone && (
        <div className="flex justify-end border-t p-1">
          <Button size="sm" onClick={onDone}>
            Done
          </Button>
        </div>
      )}
    </div>
  );
}

/** The overlay editor glide opens on a chip cell. */
export default function ChipsEditor({ value: cell, onFinishedEditing }: EditorProps) {
  const { fieldsById } = useGridContext();
  const field = fieldsById.get(cell.data.fieldId);
  const [value, setValue] = useState<unknown>(cell.data.value);
  if (!field) return null;
  const finish = (next: unknown) => onFinishedEditing(withValue(cell, next), [0, 0]);
  if (field.type === "link") {
    return <LinkPicker field={field} value={value} onChange={setValue} onDone={() => finish(value)} />;
  }
  return (
    <SelectPicker
      field={field}
      value={value}
      onChange={(next) => {
        setValue(next);
        if (field.type !== "multiple_select") finish(next);
      }}
      onDone={field.type === "multiple_select" ? () => finish(value) : undefined}
    />
  );
}

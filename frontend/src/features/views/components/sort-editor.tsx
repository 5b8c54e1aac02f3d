// An ordered list of (field, direction) keys: the view's sorts, or its grouping levels.
import { ArrowDown, ArrowUp, Plus, Trash2 } from "lucide-react";

import { Button } from "@/components/ui/button";
import { NativeSelect } from "@/components/ui/native-select";
import { directionLabels, type SortKey } from "@/features/views/lib/sorts";
import type { FieldDef } from "@/types/api";

export function SortEditor({
  fields,
  value,
  onChange,
  max,
  noun,
  disabled = false,
}: {
  fields: FieldDef[];
  value: SortKey[];
  onChange: (next: SortKey[]) => void;
  max: number;
  /** "sort" or "group": used in labels. */
  noun: string;
  disabled?: boolean;
}) {
  const used = new Set(value.map((k) => k.field_id));
  const firstFree = fields.find((f) => !used.has(f.id));
  const set = (index: number, key: SortKey) => onChange(value.map((k, i) => (i === index ? key : k)));
  const move = (index: number, by: number) => {
    const next = [...value];
    const [item] = next.splice(index, 1);
    if (item) next.splice(index + by, 0, item);
    onChange(next);
  };
  return (
    <div className="grid gap-2" data-testid={`${noun}-editor`}>
      {value.length === 0 && <p className="text-sm text-muted-foreground">{noun === "sort" ? "No sorts: records in the order they were created." : "No grouping."}</p>}
      <ol className="grid gap-2">
        {value.map((key, index) => {
          const field = fields.find((f) => f.id === key.field_id);
          const [asc, desc] = directionLabels(field?.type);
          return (
            <li key={key.field_id} className="flex items-center gap-2">
              <span className="w-12 text-xs text-muted-foreground">{index === 0 ? (noun === "sort" ? "Sort by" : "Group by") : "then by"}</span>
              <NativeSelect
                aria-label={`${noun === "sort" ? "Sort" : "Group"} field ${index + 1}`}
                className="w-40"
                value={key.field_id}
                disabled={disabled}
                onChange={(e) => set(index, { ...key, field_id: e.target.value })}
              >
                {!field && <option value={key.field_id}>(deleted field)</option>}
                {fields
                  .filter((f) => f.id === key.field_id || !used.has(f.id))
                  .map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name}
                    </option>
                  ))}
              </NativeSelect>
              <NativeSelect
                aria-label={`Direction ${index + 1}`}
                className="w-36"
                value={key.direction}
                disabled={disabled}
                onChange={(e) => set(index, { ...key, direction: e.target.value === "desc" ? "desc" : "asc" })}
              >
                <option value="asc">{asc}</option>
                <option value="desc">{desc}</option>
              </NativeSelect>
              <Button type="button" size="icon" variant="ghost" className="h-8 w-8" aria-label="Move up" disabled={disabled || index === 0} onClick={() => move(index, -1)}>
                <ArrowUp className="h-4 w-4" />
              </Button>
              <Button type="button" size="icon" variant="ghost" className="h-8 w-8" aria-label="Move down" disabled={disabled || index === value.length - 1} onClick={() => move(index, 1)}>
                <ArrowDown className="h-4 w-4" />
              </Button>
              <Button type="button" size="icon" variant="ghost" className="h-8 w-8" aria-label={`Remove ${noun} ${index + 1}`} disabled={disabled} onClick={() => onChange(value.filter((_, i) => i !== index))}>
                <Trash2 className="h-4 w-4" />
              </Button>
            </li>
          );
        })}
      </ol>
      {value.length < max && firstFree && (
        <Button
          type="button"
          size="sm"
          variant="ghost"
          className="justify-self-start"
          disabled={disabled}
          onClick={() => onChange([...value, { field_id: firstFree.id, direction: "asc" }])}
        >
          <Plus className="h-4 w-4" /> {noun === "sort" ? "Add sort" : "Add group"}
        </Button>
      )}
    </div>
  );
}

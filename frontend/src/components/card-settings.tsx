// A view's card settings (kanban, gallery, calendar): the view's own field choices (stack, cover or
// date field, given by the view) and which fields the cards show (saved as the view's hidden fields).
import { Settings2 } from "lucide-react";
import { useId, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import type { FieldDef } from "@/types/api";

export interface FieldChoice {
  key: string;
  label: string;
  value: string | null;
  options: FieldDef[];
  /** Whether "none" can be chosen. */
  optional?: boolean;
}

export function FieldSelect({ choice, onChange }: { choice: FieldChoice; onChange: (value: string | null) => void }) {
  const id = useId();
  return (
    <div className="grid gap-1">
      <label htmlFor={id} className="text-xs font-medium">
        {choice.label}
      </label>
      <select
        id={id}
        className="h-8 rounded-md border bg-background px-2 text-sm"
        value={choice.value ?? ""}
        onChange={(event) => onChange(event.target.value || null)}
      >
        {choice.optional || !choice.value ? <option value="">{choice.optional ? "None" : "Choose a field"}</option> : null}
        {choice.options.map((field) => (
          <option key={field.id} value={field.id}>
            {field.name}
          </option>
        ))}
      </select>
    </div>
  );
}

export function CardSettings({
  choices,
  fields,
  hidden,
  canEdit,
  onChoice,
  onHidden,
  children,
}: {
  choices: FieldChoice[];
  fields: FieldDef[];
  hidden: string[];
  canEdit: boolean;
  onChoice: (key: string, value: string | null) => void;
  onHidden: (hidden: string[]) => void;
  children?: ReactNode;
}) {
  const hiddenSet = new Set(hidden);
  return (
    <Popover>
      <PopoverTrigger asChild>
        <Button variant="ghost" size="sm" data-testid="card-settings" disabled={!canEdit} title={canEdit ? undefined : "Editors can change the view"}>
          <Settings2 className="mr-1 h-4 w-4" aria-hidden />
          Customize cards
        </Button>
      </PopoverTrigger>
      <PopoverContent className="grid max-h-[70vh] w-72 gap-3 overflow-y-auto">
        {choices.map((choice) => (
          <FieldSelect key={choice.key} choice={choice} onChange={(value) => onChoice(choice.key, value)} />
        ))}
        {children}
        <fieldset className="grid gap-1">
          <legend className="mb-1 text-xs font-medium">Fields on cards</legend>
          {fields.map((field) => (
            <label key={field.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={!hiddenSet.has(field.id)}
                onChange={(event) =>
                  onHidden(event.target.checked ? hidden.filter((id) => id !== field.id) : [...hidden, field.id])
                }
              />
              {field.name}
            </label>
          ))}
        </fieldset>
      </PopoverContent>
    </Popover>
  );
}

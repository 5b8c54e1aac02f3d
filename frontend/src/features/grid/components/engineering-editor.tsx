// The editor of engineering cells (dimension, thread, material, surface finish), loaded on first use:
// the text is read as it is typed and its reading ("Reads as 10.5 ±0.1 mm") or its error shown under
// it. Enter or Tab saves text that reads (or an empty box, which clears); text that does not read
// keeps the editor open with its error. Escape cancels; a click elsewhere saves only text that reads.
import type { ProvideEditorComponent } from "@glideapps/glide-data-grid";
import { useState, type KeyboardEvent } from "react";

import { ReadingHint } from "@/components/ui/reading-hint";
import type { EngineeringCell } from "@/features/grid/lib/engineering-cell";
import { readEngineering } from "@/lib/engineering";

export interface EngineeringInputProps {
  fieldType: string;
  options: Record<string, unknown>;
  /** The text the box starts with (the cell's, or the key typed on the cell that opened the editor). */
  initialText: string;
  label: string;
  readOnly?: boolean;
  /** Text that reads (or ""), to save; `movement` is where the selection goes next. */
  onDone: (text: string, movement: readonly [-1 | 0 | 1, -1 | 0 | 1]) => void;
  onCancel: () => void;
  /** Each change: the text when it would be saved as is, null when it would not (it does not read). */
  onDraft?: (text: string | null) => void;
}

export function EngineeringInput({ fieldType, options, initialText, label, readOnly = false, onDone, onCancel, onDraft }: EngineeringInputProps) {
  const [text, setText] = useState(initialText);
  const reading = readEngineering(fieldType, options, text);
  const hintId = "engineering-editor-reading";

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    const save = (event.key === "Enter" && !event.shiftKey) || event.key === "Tab";
    if (!save && event.key !== "Escape") return;
    // Handled here, not by glide's overlay, which would save whatever the cell holds.
    event.preventDefault();
    event.stopPropagation();
    if (event.key === "Escape" || readOnly) {
      onCancel();
      return;
    }
    // Not saved: the error stays in view and the box keeps the text to correct.
    if (reading && !reading.ok) return;
    onDone(text, event.key === "Tab" ? [event.shiftKey ? -1 : 1, 0] : [0, 1]);
  }

  return (
    <div className="w-72 rounded-md border bg-popover p-2 shadow-md" data-testid="engineering-editor">
      <input
        className="gdg-input h-8 w-full rounded-md border px-2 text-sm"
        aria-label={label}
        aria-invalid={reading ? !reading.ok : undefined}
        aria-describedby={reading ? hintId : undefined}
        readOnly={readOnly}
        // The editor opens on a cell: the cursor goes to the end of the text.
        autoFocus
        onFocus={(event) => event.target.setSelectionRange(event.target.value.length, event.target.value.length)}
        value={text}
        onChange={(event) => {
          const next = event.target.value;
          setText(next);
          const read = readEngineering(fieldType, options, next);
          onDraft?.(read && !read.ok ? null : next);
        }}
        onKeyDown={onKeyDown}
      />
      <ReadingHint id={hintId} reading={reading} className="mt-1" />
    </div>
  );
}

type EditorProps = Parameters<ProvideEditorComponent<EngineeringCell>>[0];

/** The overlay editor glide opens on an engineering cell. */
export default function EngineeringEditor({ value: cell, onChange, onFinishedEditing, initialValue }: EditorProps) {
  // What the cell held when opened: glide hands each change back as `cell`.
  const [start] = useState(cell.data.text);
  const withText = (text: string): EngineeringCell => ({ ...cell, data: { ...cell.data, text } });
  // Typed as taking a cell, but glide's overlay starts from undefined too: nothing to save on a click
  // outside (what its own text editor is before the first change).
  const hold = onChange as (next: EngineeringCell | undefined) => void;
  return (
    <EngineeringInput
      fieldType={cell.data.fieldType}
      options={cell.data.options}
      initialText={initialValue ?? start}
      label={cell.data.fieldName}
      readOnly={cell.readonly === true}
      // A click outside saves what glide holds: only text that reads, and only once changed.
      onDraft={(text) => hold(text === null || text === start ? undefined : withText(text))}
      onCancel={() => onFinishedEditing(undefined, [0, 0])}
      onDone={(text, movement) => onFinishedEditing(text === start ? undefined : withText(text), movement)}
    />
  );
}

// The date and date-time editor (loaded on first use): a text input that still takes typing (Enter
// saves, Escape cancels), a month calendar, and for a date-time the time of day in the field's time
// zone, which is named. Picking a day saves a date at once; a date-time saves with Enter or "Done".
import type { ProvideEditorComponent } from "@glideapps/glide-data-grid";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Calendar } from "@/components/ui/calendar";
import { splitText, todayIn, toApiValue, withDay, withTimeOfDay, editText, type DateCell } from "@/features/grid/lib/date-cell";

export interface DatePickerProps {
  /** The stored value ("YYYY-MM-DD" or an ISO instant), or null. */
  value: string | null;
  withTime: boolean;
  timeZone: string;
  /** The value to write (see toApiValue), or null to clear. */
  onDone: (value: string | null) => void;
  onCancel: () => void;
  /** Typed characters that opened the editor replace the text. */
  initialText?: string | undefined;
  label: string;
}

export function DatePicker({ value, withTime, timeZone, onDone, onCancel, initialText, label }: DatePickerProps) {
  const [text, setText] = useState(() => initialText ?? editText(value, withTime, timeZone));
  const today = todayIn(timeZone);
  const { day, time } = splitText(text);
  const done = (next = text) => onDone(toApiValue(next, withTime));
  return (
    <div className="w-64 rounded-md border bg-popover p-2 shadow-md" data-testid="date-editor">
      <input
        className="gdg-input h-8 w-full rounded-md border px-2 text-sm"
        aria-label={label}
        placeholder={withTime ? "YYYY-MM-DD HH:mm" : "YYYY-MM-DD"}
        // The editor opens on a cell: the cursor goes into the text.
        autoFocus
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            event.stopPropagation();
            done();
          } else if (event.key === "Escape") {
            event.preventDefault();
            event.stopPropagation();
            onCancel();
          }
        }}
      />
      <Calendar
        className="px-0"
        selected={day}
        today={today}
        onSelect={(picked) => {
          const next = withDay(text, picked, withTime);
          setText(next);
          if (!withTime) done(next);
        }}
      />
      {withTime && (
        <div className="flex items-center gap-2 text-sm">
          <label className="flex items-center gap-1">
            Time
            <input
              type="time"
              className="h-8 rounded-md border px-1"
              value={time ?? ""}
              onChange={(event) => event.target.value && setText(withTimeOfDay(text, event.target.value, today))}
            />
          </label>
          <span className="truncate text-xs text-muted-foreground" title={timeZone}>
            {timeZone}
          </span>
        </div>
      )}
      <div className="mt-2 flex justify-between gap-1">
        <Button type="button" size="sm" variant="ghost" onClick={() => onDone(null)}>
          Clear
        </Button>
        <span className="flex gap-1">
          <Button type="button" size="sm" variant="ghost" onClick={() => done(withDay(text, today, withTime))}>
            Today
          </Button>
          <Button type="button" size="sm" onClick={() => done()}>
            Done
          </Button>
        </span>
      </div>
    </div>
  );
}

type EditorProps = Parameters<ProvideEditorComponent<DateCell>>[0];

/** The overlay editor glide opens on a date cell. */
export default function DateEditor({ value: cell, onFinishedEditing, initialValue }: EditorProps) {
  const { withTime, timeZone } = cell.data;
  return (
    <DatePicker
      value={cell.data.value}
      withTime={withTime}
      timeZone={timeZone}
      initialText={initialValue}
      label={withTime ? `Date and time (${timeZone})` : "Date"}
      onCancel={() => onFinishedEditing(undefined, [0, 0])}
      onDone={(next) => onFinishedEditing({ ...cell, data: { ...cell.data, value: next, text: next ?? "" } }, [0, 1])}
    />
  );
}

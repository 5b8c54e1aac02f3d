// A month calendar for picking a day. Days are "YYYY-MM-DD" keys computed in UTC, never the browser's
// local Date, so a day is the same day in every time zone. Weeks start on Monday. Keyboard: the
// arrows move by a day or a week (crossing months), PageUp/PageDown by a month, Enter picks.
import { ChevronLeft, ChevronRight } from "lucide-react";
import { useEffect, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** "YYYY-MM-DD" of a UTC date. */
export function dayKey(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** The UTC date of "YYYY-MM-DD", or null when it is not a real day. */
export function parseDayKey(key: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!m) return null;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return dayKey(date) === key ? date : null;
}

export function addDays(key: string, days: number): string {
  const date = parseDayKey(key) ?? new Date();
  return dayKey(new Date(date.getTime() + days * 86_400_000));
}

/** The same day `months` later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(key: string, months: number): string {
  const date = parseDayKey(key) ?? new Date();
  const first = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return dayKey(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(date.getUTCDate(), last))));
}

/** The 6 x 7 days shown for the month of `key`, Monday first. */
export function monthGrid(key: string): string[] {
  const date = parseDayKey(key) ?? new Date();
  const first = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
  const offset = (first.getUTCDay() + 6) % 7;
  const start = dayKey(new Date(first.getTime() - offset * 86_400_000));
  return Array.from({ length: 42 }, (_, i) => addDays(start, i));
}

export interface CalendarProps {
  /** The picked day, "YYYY-MM-DD". */
  selected?: string | null | undefined;
  /** Today in the field's time zone (highlighted); default: today in UTC. */
  today?: string | undefined;
  onSelect: (day: string) => void;
  className?: string;
}

export function Calendar({ selected, today = dayKey(new Date()), onSelect, className }: CalendarProps) {
  const [focus, setFocus] = useState(() => (selected && parseDayKey(selected) ? selected : today));
  const grid = useRef<HTMLDivElement>(null);
  const moved = useRef(false);
  useEffect(() => {
    if (selected && parseDayKey(selected)) setFocus(selected);
  }, [selected]);
  // Keyboard moves put the focus on the new day (not on first render: the editor's input keeps it).
  useEffect(() => {
    if (!moved.current) return;
    grid.current?.querySelector<HTMLButtonElement>(`[data-day="${focus}"]`)?.focus();
  }, [focus]);
  const month = focus.slice(0, 7);
  const [year, monthNumber] = month.split("-").map(Number) as [number, number];
  const move = (next: string) => {
    moved.current = true;
    setFocus(next);
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    const steps: Record<string, () => string> = {
      ArrowLeft: () => addDays(focus, -1),
      ArrowRight: () => addDays(focus, 1),
      ArrowUp: () => addDays(focus, -7),
      ArrowDown: () => addDays(focus, 7),
      PageUp: () => addMonths(focus, -1),
      PageDown: () => addMonths(focus, 1),
    };
    const step = steps[event.key];
    if (!step) return;
    event.preventDefault();
    event.stopPropagation();
    move(step());
  };
  return (
    <div className={cn("w-64 select-none p-2 text-sm", className)} data-testid="calendar">
      <div className="mb-1 flex items-center justify-between">
        <Button type="button" size="sm" variant="ghost" aria-label="Previous month" onClick={() => move(addMonths(focus, -1))}>
          <ChevronLeft className="h-4 w-4" />
        </Button>
        <span aria-live="polite" className="font-medium">
          {MONTHS[monthNumber - 1]} {year}
        </span>
        <Button type="button" size="sm" variant="ghost" aria-label="Next month" onClick={() => move(addMonths(focus, 1))}>
          <ChevronRight className="h-4 w-4" />
        </Button>
      </div>
      <div role="grid" aria-label={`${MONTHS[monthNumber - 1]} ${year}`} ref={grid} onKeyDown={onKeyDown}>
        <div role="row" className="grid grid-cols-7 text-center text-xs text-muted-foreground">
          {WEEKDAYS.map((day) => (
            <span role="columnheader" key={day} className="py-1">
              {day}
            </span>
          ))}
        </div>
        {[0, 1, 2, 3, 4, 5].map((week) => (
          <div role="row" key={week} className="grid grid-cols-7">
            {monthGrid(focus)
              .slice(week * 7, week * 7 + 7)
              .map((day) => {
                const inMonth = day.startsWith(month);
                const isSelected = day === selected;
                return (
                  <span role="gridcell" key={day} aria-selected={isSelected}>
                    <button
                      type="button"
                      data-day={day}
                      tabIndex={day === focus ? 0 : -1}
                      aria-label={day}
                      aria-current={day === today ? "date" : undefined}
                      onClick={() => onSelect(day)}
                      className={cn(
                        "h-8 w-8 rounded-md text-center hover:bg-accent focus:outline-none focus-visible:ring-2 focus-visible:ring-ring",
                        !inMonth && "text-muted-foreground/60",
                        day === today && "font-semibold underline",
                        isSelected && "bg-primary text-primary-foreground hover:bg-primary/90",
                      )}
                    >
                      {Number(day.slice(8))}
                    </button>
                  </span>
                );
              })}
          </div>
        ))}
      </div>
    </div>
  );
}

// The calendar: records on the day of the view's date field, by month or by week, in the field's
// time zone. Drag a record to another day to reschedule it (a PATCH with If-Match; a date-time
// keeps its time of day); records without a date are listed aside and can be dragged onto a day.
// Records are bucketed by day once per data change; the day cells are drop targets by their place in
// the grid (the day is their data), so paging months updates them instead of registering 42 new ones.
import { DndContext, KeyboardSensor, PointerSensor, useDraggable, useDroppable, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { ChevronLeft, ChevronRight } from "lucide-react";
import { memo, useCallback, useMemo, useState } from "react";

import { CardSettings } from "@/components/card-settings";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toaster";
import {
  addDays,
  addMonths,
  browserTimeZone,
  byDay,
  dayOf,
  monthGrid,
  monthTitle,
  reschedule,
  sameMonth,
  timeOf,
  todayIn,
  weekDays,
  type DayKey,
} from "@/features/calendar/lib/dates";
import type { CardViewProps } from "@/features/calendar/types/view-props";
import { getRecord, patchRecord, useViewRecords } from "@/hooks/use-view-records";
import { ApiError, errorMessage } from "@/lib/api/errors";
import { displayValue } from "@/lib/record-values";
import type { FieldDef, RecordRow } from "@/types/api";

const DATE_TYPES = new Set(["date", "datetime", "date_time", "created_time", "last_modified_time"]);
const WRITABLE = new Set(["date", "datetime", "date_time"]);
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

interface EventCommon {
  titleField: FieldDef | undefined;
  dateField: FieldDef;
  timeZone: string;
  canMove: boolean;
  onOpen: (record: RecordRow) => void;
}

const EventChip = memo(function EventChip({ record, common }: { record: RecordRow; common: EventCommon }) {
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({ id: record.id, disabled: !common.canMove });
  const title = common.titleField ? displayValue(record.fields[common.titleField.id]) : "";
  const time = timeOf(record.fields[common.dateField.id], common.dateField.type, common.timeZone);
  // One control: a click opens the record, a drag (5 px or more, or space and arrows) moves it.
  return (
    <button
      type="button"
      ref={setNodeRef}
      style={transform ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)` } : undefined}
      className={`flex w-full items-center gap-1 truncate rounded bg-blue-100 px-1 text-left text-xs text-blue-950 hover:underline ${isDragging ? "relative z-10 opacity-70" : ""}`}
      data-testid="calendar-event"
      data-record-id={record.id}
      {...attributes}
      {...listeners}
      aria-roledescription="draggable record"
      onClick={() => common.onOpen(record)}
    >
      {time ? <span className="tabular-nums">{time}</span> : null}
      <span className="truncate">{title || "Unnamed record"}</span>
    </button>
  );
});

const NO_EVENTS: RecordRow[] = [];

const DayCell = memo(function DayCell({
  slot,
  day,
  events,
  limit,
  dim,
  today,
  common,
  onMore,
}: {
  /** Place in the grid (0 = top left): the drop target's id, stable from month to month. */
  slot: number;
  day: DayKey;
  events: RecordRow[];
  limit: number;
  dim: boolean;
  today: boolean;
  common: EventCommon;
  onMore: (day: DayKey) => void;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: `slot:${slot}`, data: { day } });
  return (
    <div
      ref={setNodeRef}
      data-testid="calendar-day"
      data-day={day}
      className={`flex min-h-0 min-w-0 flex-col gap-0.5 overflow-hidden border-b border-r p-1 ${dim ? "bg-muted/40 text-muted-foreground" : ""} ${isOver ? "bg-accent" : ""}`}
    >
      <span className={`text-xs ${today ? "w-fit rounded-full bg-primary px-1.5 text-primary-foreground" : ""}`}>{Number(day.slice(8))}</span>
      {events.slice(0, limit).map((record) => (
        <EventChip key={record.id} record={record} common={common} />
      ))}
      {events.length > limit ? (
        <button type="button" className="text-left text-xs text-muted-foreground hover:underline" onClick={() => onMore(day)}>
          {events.length - limit} more
        </button>
      ) : null}
    </div>
  );
});

function Undated({ records, common }: { records: RecordRow[]; common: EventCommon }) {
  const { setNodeRef, isOver } = useDroppable({ id: "undated" });
  return (
    <aside ref={setNodeRef} aria-label="Records without a date" className={`w-56 shrink-0 overflow-y-auto border-l p-2 ${isOver ? "bg-accent" : ""}`} data-testid="calendar-undated">
      <h2 className="mb-2 text-sm font-semibold">Without a date ({records.length})</h2>
      <div className="grid gap-1">
        {records.slice(0, 200).map((record) => (
          <EventChip key={record.id} record={record} common={common} />
        ))}
      </div>
    </aside>
  );
}

export function CalendarView({ tableId, view, fields, primaryFieldId, canEdit, onOpenRecord, onSaveConfig }: CardViewProps) {
  const config = view.config;
  const dateField = fields.find((f) => f.id === config.date_field_id);
  const timeZone = (typeof dateField?.options.timezone === "string" && dateField.options.timezone) || browserTimeZone();
  const [mode, setMode] = useState<"month" | "week">("month");
  const [anchor, setAnchor] = useState<DayKey>(() => todayIn(timeZone));
  const dated = useViewRecords(tableId, { viewId: view.id }, Boolean(dateField));
  // The view itself lists only dated records; the undated ones are its filters plus "date is empty".
  const undatedFilter = useMemo(() => {
    if (!dateField) return null;
    const empty = { field: dateField.id, op: "is_empty" };
    return config.filters ? { and: [config.filters, empty] } : empty;
  }, [dateField, config.filters]);
  const undated = useViewRecords(tableId, { filter: undatedFilter, limit: 1000 }, Boolean(dateField));
  const titleField = fields.find((f) => f.id === primaryFieldId) ?? fields[0];
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor));
  const days = useMemo(
    () => (dateField ? byDay(dated.data?.records ?? [], (r) => dayOf(r.fields[dateField.id], dateField.type, timeZone)) : new Map<DayKey, RecordRow[]>()),
    [dated.data, dateField, timeZone],
  );
  const today = todayIn(timeZone);
  const weeks = mode === "month" ? monthGrid(anchor) : [weekDays(anchor)];
  const common: EventCommon | null = useMemo(
    () => (dateField ? { titleField, dateField, timeZone, canMove: canEdit && WRITABLE.has(dateField.type), onOpen: onOpenRecord } : null),
    [titleField, dateField, timeZone, canEdit, onOpenRecord],
  );

  async function onDragEnd(event: DragEndEvent) {
    if (!dateField || !event.over) return;
    const recordId = String(event.active.id);
    const overId = String(event.over.id);
    const overDay = (event.over.data.current as { day?: DayKey } | undefined)?.day;
    const record = dated.data?.records.find((r) => r.id === recordId) ?? undated.data?.records.find((r) => r.id === recordId);
    if (!record) return;
    const before = record.fields[dateField.id];
    if (overId !== "undated" && !overDay) return;
    const value = overId === "undated" || !overDay ? null : reschedule(before, dateField.type, overDay, timeZone);
    if (value === before || (value === null && (before === null || before === undefined))) return;
    const moved = { ...record, fields: { ...record.fields, [dateField.id]: value } };
    dated.store(recordId, moved);
    try {
      await patchRecord(tableId, recordId, { [dateField.id]: value }, record.version);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        dated.store(recordId, await getRecord(tableId, recordId).catch(() => record));
        toast.error("Someone else changed this record meanwhile; it was reloaded. Move it again if you still want to.");
      } else {
        dated.store(recordId, record);
        toast.error(`The record was not rescheduled: ${errorMessage(error)}`);
      }
    }
    // It may have moved between the dated and undated lists.
    void dated.refetch();
    void undated.refetch();
  }

  const showWeek = useCallback((d: DayKey) => {
    setAnchor(d);
    setMode("week");
  }, []);
  const step = (n: number) => setAnchor((a) => (mode === "month" ? addMonths(a, n) : addDays(a, 7 * n)));
  const title = mode === "month" ? monthTitle(anchor) : `${weeks[0]?.[0]} – ${weeks[0]?.[6]}`;

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="calendar-view">
      <div className="flex flex-wrap items-center gap-2 border-b px-3 py-1 text-sm">
        <CardSettings
          canEdit={canEdit}
          choices={[
            { key: "date_field_id", label: "Date field", value: dateField?.id ?? null, options: fields.filter((f) => DATE_TYPES.has(f.type)) },
          ]}
          fields={fields.filter((f) => f.id !== titleField?.id)}
          hidden={Array.isArray(config.hidden_fields) ? (config.hidden_fields as string[]) : []}
          onChoice={(key, value) => void onSaveConfig({ [key]: value })}
          onHidden={(hidden) => void onSaveConfig({ hidden_fields: hidden })}
        />
        <Button variant="ghost" size="sm" aria-label={mode === "month" ? "Previous month" : "Previous week"} onClick={() => step(-1)}>
          <ChevronLeft className="h-4 w-4" aria-hidden />
        </Button>
        <Button variant="ghost" size="sm" onClick={() => setAnchor(today)}>
          Today
        </Button>
        <Button variant="ghost" size="sm" aria-label={mode === "month" ? "Next month" : "Next week"} onClick={() => step(1)}>
          <ChevronRight className="h-4 w-4" aria-hidden />
        </Button>
        <h2 className="font-semibold" data-testid="calendar-title" aria-live="polite">
          {title}
        </h2>
        <div role="group" aria-label="Calendar range" className="ml-auto flex gap-1">
          <Button size="sm" variant={mode === "month" ? "secondary" : "ghost"} aria-pressed={mode === "month"} onClick={() => setMode("month")}>
            Month
          </Button>
          <Button size="sm" variant={mode === "week" ? "secondary" : "ghost"} aria-pressed={mode === "week"} onClick={() => setMode("week")}>
            Week
          </Button>
        </div>
        <span className="text-xs text-muted-foreground">{timeZone}</span>
      </div>
      {!dateField || !common ? (
        <p className="p-4 text-sm">Choose a date field to place records on the calendar (Customize cards).</p>
      ) : dated.isError ? (
        <p role="alert" className="p-4 text-sm text-destructive">
          {errorMessage(dated.error)}
        </p>
      ) : (
        <DndContext sensors={sensors} onDragEnd={(event) => void onDragEnd(event)}>
          <div className="flex min-h-0 flex-1">
            <div className="flex min-h-0 min-w-0 flex-1 flex-col">
              <div className="grid grid-cols-7 border-b text-xs font-medium text-muted-foreground">
                {WEEKDAYS.map((d) => (
                  <div key={d} className="px-1 py-0.5">
                    {d}
                  </div>
                ))}
              </div>
              <div className="grid min-h-0 flex-1 grid-cols-7" style={{ gridTemplateRows: `repeat(${weeks.length}, minmax(0, 1fr))` }} data-testid="calendar-grid">
                {weeks.flat().map((day, slot) => (
                  <DayCell
                    key={slot}
                    slot={slot}
                    day={day}
                    events={days.get(day) ?? NO_EVENTS}
                    limit={mode === "month" ? 3 : 40}
                    dim={mode === "month" && !sameMonth(day, anchor)}
                    today={day === today}
                    common={common}
                    onMore={showWeek}
                  />
                ))}
              </div>
            </div>
            <Undated records={undated.data?.records ?? []} common={common} />
          </div>
        </DndContext>
      )}
    </div>
  );
}

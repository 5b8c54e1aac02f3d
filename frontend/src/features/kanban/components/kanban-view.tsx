// The kanban board: one stack per option of the view's stack field (or per person), cards with a
// cover and the view's visible fields. Drag a card (pointer, or keyboard: focus its handle, space,
// arrows, space) to another stack, which writes the stack field with If-Match, or within a stack,
// which saves the view's card order. "Add card" creates a record in that stack. Stacks show their
// first cards and more on request, and render only the cards in view (lib/card-window.ts), so boards
// of thousands of cards stay light.
import {
  closestCorners,
  DndContext,
  pointerWithin,
  KeyboardSensor,
  PointerSensor,
  useDroppable,
  useSensor,
  useSensors,
  type CollisionDetection,
  type DragEndEvent,
} from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { GripVertical, Plus } from "lucide-react";
import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";

import { CardSettings } from "@/components/card-settings";
import { RecordCard } from "@/components/record-card";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toaster";
import { cardWindow } from "@/features/kanban/lib/card-window";
import { applyMove, buildStacks, cardOrderAfter, dropTarget, EMPTY_STACK, stackValue, type Stack } from "@/features/kanban/lib/stacks";
import type { CardViewProps } from "@/features/kanban/types/view-props";
import { createRecord, getRecord, patchRecord, useViewRecords } from "@/hooks/use-view-records";
import { ApiError, errorMessage } from "@/lib/api/errors";
import { chipBackground, visibleFields } from "@/lib/record-values";
import type { FieldDef, RecordRow } from "@/types/api";

const STACKABLE = new Set(["single_select", "user"]);
const ATTACHMENT = new Set(["attachment"]);
const PAGE = 100;
// Stack scrolling re-renders the card window only when the scroll crosses a step of this many px.
const SCROLL_STEP = 300;

// Where the pointer is decides the drop (a card grabbed by its corner handle is mostly elsewhere):
// the card under it, else the stack under it, else the nearest (keyboard moves have no pointer).
const collision: CollisionDetection = (args) => {
  const hits = pointerWithin(args);
  const cards = hits.filter((hit) => !String(hit.id).startsWith("stack:"));
  if (cards.length > 0) return cards;
  return hits.length > 0 ? hits : closestCorners(args);
};

interface CardCommon {
  titleField: FieldDef | undefined;
  fields: FieldDef[];
  coverField: FieldDef | undefined;
  people: Map<string, string> | undefined;
  canEdit: boolean;
  onOpen: (record: RecordRow) => void;
  /** Height of a card as rendered (with its spacing), by record id. */
  heights: Map<string, number>;
}

const SortableCard = memo(function SortableCard({ record, common }: { record: RecordRow; common: CardCommon }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: record.id,
    disabled: !common.canEdit,
  });
  const style = transform ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)`, transition } : { transition };
  const { heights } = common;
  const ref = useCallback(
    (node: HTMLDivElement | null) => {
      setNodeRef(node);
      if (node && node.offsetHeight > 0) heights.set(record.id, node.offsetHeight);
    },
    [heights, record.id, setNodeRef],
  );
  return (
    <div ref={ref} style={style} className={`pb-2 ${isDragging ? "relative z-10 opacity-70" : "relative"}`} data-testid="kanban-card">
      {common.canEdit ? (
        <button
          type="button"
          ref={setActivatorNodeRef}
          className="absolute right-1 top-1 z-[1] cursor-grab rounded bg-card/80 p-0.5 text-muted-foreground"
          aria-label="Move card"
          {...attributes}
          {...listeners}
        >
          <GripVertical className="h-4 w-4" aria-hidden />
        </button>
      ) : null}
      <RecordCard
        record={record}
        titleField={common.titleField}
        fields={common.fields}
        coverField={common.coverField}
        coverHeight={96}
        people={common.people}
        onOpen={common.onOpen}
      />
    </div>
  );
});

function AddCard({ onAdd }: { onAdd: (text: string) => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  if (!open) {
    return (
      <Button variant="ghost" size="sm" className="justify-start" onClick={() => setOpen(true)} data-testid="kanban-add-card">
        <Plus className="h-4 w-4" aria-hidden /> Add card
      </Button>
    );
  }
  return (
    <form
      className="grid gap-1"
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        void onAdd(text.trim()).then(() => {
          setBusy(false);
          setText("");
          setOpen(false);
        });
      }}
    >
      <Input autoFocus aria-label="Name of the new card" value={text} onChange={(e) => setText(e.target.value)} disabled={busy} />
      <div className="flex gap-1">
        <Button type="submit" size="sm" disabled={busy}>
          Add
        </Button>
        <Button type="button" size="sm" variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function StackColumn({ stack, common, onAdd }: { stack: Stack; common: CardCommon; onAdd: (stack: Stack, text: string) => Promise<void> }) {
  const { setNodeRef, isOver } = useDroppable({ id: `stack:${stack.key}`, disabled: !common.canEdit });
  const [shown, setShown] = useState(PAGE);
  const list = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, height: 0 });
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return undefined;
    const measure = () => setScroll((s) => (s.height === el.clientHeight ? s : { ...s, height: el.clientHeight }));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const count = Math.min(shown, stack.records.length);
  const { heights } = common;
  // The top is rounded down to a step, so the window covers one step more below.
  const win = cardWindow(
    stack.records.slice(0, count).map((r) => heights.get(r.id)),
    scroll.top,
    scroll.height > 0 ? scroll.height + SCROLL_STEP : 0,
  );
  // Same window, same arrays: the sortable context is not re-registered on every scroll event.
  const cards = useMemo(() => stack.records.slice(win.start, win.end), [stack.records, win.start, win.end]);
  const ids = useMemo(() => cards.map((r) => r.id), [cards]);
  return (
    <section
      ref={setNodeRef}
      aria-label={`${stack.label}, ${stack.records.length} cards`}
      data-testid="kanban-stack"
      data-stack={stack.key}
      className={`flex w-72 shrink-0 flex-col rounded-lg bg-muted/60 p-2 ${isOver ? "ring-2 ring-ring" : ""}`}
    >
      <h2 className="mb-2 flex items-center gap-2 text-sm font-semibold">
        <span className="rounded px-1.5 text-gray-900" style={{ background: stack.key === EMPTY_STACK ? "transparent" : chipBackground(stack.color) }}>
          {stack.label}
        </span>
        <span className="text-xs font-normal text-muted-foreground">{stack.records.length}</span>
      </h2>
      <SortableContext items={ids} strategy={verticalListSortingStrategy}>
        <div
          ref={list}
          className="min-h-8 overflow-y-auto"
          onScroll={(event) => {
            // In steps of SCROLL_STEP px: scrolling within a step renders nothing new.
            const top = Math.floor(event.currentTarget.scrollTop / SCROLL_STEP) * SCROLL_STEP;
            setScroll((s) => (s.top === top ? s : { ...s, top }));
          }}
        >
          <div style={{ height: win.before }} aria-hidden />
          {cards.map((record) => (
            <SortableCard key={record.id} record={record} common={common} />
          ))}
          <div style={{ height: win.after }} aria-hidden />
        </div>
      </SortableContext>
      {stack.records.length > count ? (
        <Button variant="ghost" size="sm" onClick={() => setShown((n) => n + PAGE * 5)}>
          Show {Math.min(PAGE * 5, stack.records.length - shown)} more
        </Button>
      ) : null}
      {common.canEdit ? <AddCard onAdd={(text) => onAdd(stack, text)} /> : null}
    </section>
  );
}

export function KanbanView({ tableId, view, fields, primaryFieldId, canEdit, people, onOpenRecord, onSaveConfig }: CardViewProps) {
  const config = view.config;
  const stackField = fields.find((f) => f.id === config.stack_field_id);
  const coverField = fields.find((f) => f.id === config.cover_field_id);
  const cardOrder = useMemo(() => (Array.isArray(config.card_order) ? (config.card_order as string[]) : []), [config.card_order]);
  const records = useViewRecords(tableId, { viewId: view.id });
  const titleField = fields.find((f) => f.id === primaryFieldId) ?? fields[0];
  // Keyed on the two settings it reads, not the whole config: saving the card order after a drag
  // must not re-render every card.
  const hiddenFields = config.hidden_fields;
  const fieldOrder = config.field_order;
  const shownFields = useMemo(
    () =>
      visibleFields(fields, { hidden_fields: hiddenFields, field_order: fieldOrder }).filter(
        (f) => f.id !== titleField?.id && f.id !== stackField?.id && f.id !== coverField?.id,
      ),
    [fields, hiddenFields, fieldOrder, titleField, stackField, coverField],
  );
  const stacks = useMemo(
    () =>
      stackField
        ? buildStacks(records.data?.records ?? [], stackField, { cardOrder, people, hideEmpty: Boolean(config.hide_empty_stacks) })
        : [],
    [records.data, stackField, cardOrder, people, config.hide_empty_stacks],
  );
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  // Measured card heights; a change of what cards show measures again.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const heights = useMemo(() => new Map<string, number>(), [shownFields, coverField]);
  const common: CardCommon = useMemo(
    () => ({ titleField, fields: shownFields, coverField, people, canEdit, onOpen: onOpenRecord, heights }),
    [titleField, shownFields, coverField, people, canEdit, onOpenRecord, heights],
  );

  async function onDragEnd(event: DragEndEvent) {
    if (!stackField || !event.over) return;
    const recordId = String(event.active.id);
    const from = stacks.find((s) => s.records.some((r) => r.id === recordId));
    const target = dropTarget(stacks, String(event.over.id));
    if (!from || !target) return;
    const card = from.records.find((r) => r.id === recordId);
    if (!card) return;
    // Within a stack this lands the card where the card it was dropped on was (arrayMove's rule).
    const moved = applyMove(stacks, { recordId, fromKey: from.key, toKey: target.key, toIndex: target.index });
    const order = cardOrderAfter(moved, target.key, cardOrder);
    void onSaveConfig({ card_order: order });
    if (from.key === target.key) return;
    const value = stackValue(stackField, target.key);
    records.store(recordId, { ...card, fields: { ...card.fields, [stackField.id]: value } });
    try {
      records.store(recordId, await patchRecord(tableId, recordId, { [stackField.id]: value }, card.version));
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        // Someone changed the card meanwhile: show their version, the move is not applied.
        records.store(recordId, await getRecord(tableId, recordId).catch(() => card));
        toast.error("Someone else changed this card meanwhile; it was reloaded. Move it again if you still want to.");
      } else {
        records.store(recordId, card);
        toast.error(`The card was not moved: ${errorMessage(error)}`);
      }
    }
  }

  async function addCard(stack: Stack, text: string) {
    if (!stackField) return;
    const values: Record<string, unknown> = {};
    if (titleField && text) values[titleField.id] = text;
    const value = stackValue(stackField, stack.key);
    if (value !== null) values[stackField.id] = value;
    try {
      await createRecord(tableId, values);
      await records.refetch();
    } catch (error) {
      toast.error(`The card was not added: ${errorMessage(error)}`);
    }
  }

  const stackChoices = fields.filter((f) => STACKABLE.has(f.type));
  const settings = (
    <CardSettings
      canEdit={canEdit}
      choices={[
        { key: "stack_field_id", label: "Stack by", value: stackField?.id ?? null, options: stackChoices },
        { key: "cover_field_id", label: "Cover image", value: coverField?.id ?? null, options: fields.filter((f) => ATTACHMENT.has(f.type)), optional: true },
      ]}
      fields={fields.filter((f) => f.id !== titleField?.id)}
      hidden={Array.isArray(config.hidden_fields) ? (config.hidden_fields as string[]) : []}
      onChoice={(key, value) => void onSaveConfig({ [key]: value })}
      onHidden={(hidden) => void onSaveConfig({ hidden_fields: hidden })}
    >
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={Boolean(config.hide_empty_stacks)} onChange={(e) => void onSaveConfig({ hide_empty_stacks: e.target.checked })} />
        Hide empty stacks
      </label>
    </CardSettings>
  );

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="kanban-view">
      <div className="flex items-center gap-2 border-b px-3 py-1 text-sm">
        {settings}
        <span className="text-muted-foreground" data-testid="kanban-count">
          {records.data ? `${records.data.records.length}${records.data.truncated ? "+" : ""} cards` : ""}
        </span>
      </div>
      {records.isError ? (
        <p role="alert" className="p-4 text-sm text-destructive">
          {errorMessage(records.error)}
        </p>
      ) : !stackField ? (
        <p className="p-4 text-sm">Choose a single select or user field to stack the cards by (Customize cards).</p>
      ) : records.isPending ? (
        <p role="status" className="p-4 text-sm text-muted-foreground">
          Loading cards…
        </p>
      ) : (
        <DndContext sensors={sensors} collisionDetection={collision} onDragEnd={(event) => void onDragEnd(event)}>
          <div className="flex min-h-0 flex-1 gap-3 overflow-x-auto p-3" data-testid="kanban-board">
            {stacks.map((stack) => (
              <StackColumn key={stack.key} stack={stack} common={common} onAdd={addCard} />
            ))}
          </div>
        </DndContext>
      )}
    </div>
  );
}

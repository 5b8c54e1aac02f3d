// Kanban stacks: records grouped by the value of the stack field (a single select: one stack per
// option, in the options' order; a user field: one stack per person seen, by name), an
// "Uncategorized" stack for empty values first, and the order inside each stack from the view's
// saved card order (records not in it keep the order the API listed them in, after those that are).
import type { FieldDef, RecordRow } from "@/types/api";
import { choicesOf } from "@/lib/record-values";

export const EMPTY_STACK = "__empty__";

export interface Stack {
  /** Option name or user id; EMPTY_STACK for records without a value. */
  key: string;
  label: string;
  color?: string | undefined;
  records: RecordRow[];
}

function userId(value: unknown): string | null {
  if (typeof value === "string") return value || null;
  if (value && typeof value === "object") {
    const id = (value as { id?: unknown }).id;
    return typeof id === "string" ? id : null;
  }
  if (Array.isArray(value)) return userId(value[0]);
  return null;
}

/** The stack a record belongs to. */
export function stackKeyOf(field: FieldDef, value: unknown): string {
  if (field.type === "single_select") return typeof value === "string" && value ? value : EMPTY_STACK;
  return userId(Array.isArray(value) ? value[0] : value) ?? EMPTY_STACK;
}

/** The value written to the stack field when a card lands in a stack. */
export function stackValue(field: FieldDef, key: string): unknown {
  void field;
  return key === EMPTY_STACK ? null : key;
}

export function buildStacks(
  records: RecordRow[],
  field: FieldDef,
  options: { cardOrder?: string[]; people?: Map<string, string>; hideEmpty?: boolean } = {},
): Stack[] {
  const stacks = new Map<string, Stack>();
  stacks.set(EMPTY_STACK, { key: EMPTY_STACK, label: "Uncategorized", records: [] });
  if (field.type === "single_select") {
    for (const choice of choicesOf(field)) stacks.set(choice.name, { key: choice.name, label: choice.name, color: choice.color, records: [] });
  }
  for (const record of records) {
    const key = stackKeyOf(field, record.fields[field.id]);
    let stack = stacks.get(key);
    if (!stack) {
      // A user (or an option the field no longer lists): its own stack, after the known ones.
      stack = { key, label: options.people?.get(key) ?? key, records: [] };
      stacks.set(key, stack);
    }
    stack.records.push(record);
  }
  const rank = new Map((options.cardOrder ?? []).map((id, index) => [id, index]));
  const out: Stack[] = [];
  for (const stack of stacks.values()) {
    if (rank.size > 0) stack.records = orderCards(stack.records, rank);
    if (options.hideEmpty && stack.records.length === 0) continue;
    out.push(stack);
  }
  // An empty "Uncategorized" stack is clutter unless it is the only place to add cards.
  if (out.length > 1 && out[0]?.key === EMPTY_STACK && out[0].records.length === 0) out.shift();
  return out;
}

function orderCards(records: RecordRow[], rank: Map<string, number>): RecordRow[] {
  // Stable: ranked records by rank, unranked ones after them in listing order.
  return records
    .map((record, index) => ({ record, index, r: rank.get(record.id) }))
    .sort((a, b) => {
      if (a.r !== undefined && b.r !== undefined) return a.r - b.r;
      if (a.r !== undefined) return -1;
      if (b.r !== undefined) return 1;
      return a.index - b.index;
    })
    .map((x) => x.record);
}

export interface Move {
  recordId: string;
  fromKey: string;
  toKey: string;
  /** Position in the target stack after the move. */
  toIndex: number;
}

/** Stacks after a move (the card taken out of its stack and put at `toIndex` of the target). */
export function applyMove(stacks: Stack[], move: Move): Stack[] {
  const card = stacks.find((s) => s.key === move.fromKey)?.records.find((r) => r.id === move.recordId);
  if (!card) return stacks;
  return stacks.map((stack) => {
    let records = stack.key === move.fromKey ? stack.records.filter((r) => r.id !== move.recordId) : stack.records;
    if (stack.key === move.toKey) {
      records = records.filter((r) => r.id !== move.recordId);
      const at = Math.max(0, Math.min(move.toIndex, records.length));
      records = [...records.slice(0, at), card, ...records.slice(at)];
    }
    return records === stack.records ? stack : { ...stack, records };
  });
}

/**
 * The view's card order after a move: every card of the target stack in its new order, then the
 * previous ranks of the others. Bounded by the API's limit.
 */
export function cardOrderAfter(stacks: Stack[], toKey: string, previous: string[], max = 10_000): string[] {
  const target = stacks.find((s) => s.key === toKey)?.records.map((r) => r.id) ?? [];
  const moved = new Set(target);
  // Ranks only compare cards of one stack, so other stacks keep their order with the old ranks.
  const rest = previous.filter((id) => !moved.has(id));
  return [...target, ...rest].slice(0, max);
}

/** Where a drop lands: over a card (its index) or over a stack's empty area (its end). */
export function dropTarget(stacks: Stack[], overId: string): { key: string; index: number } | null {
  const stack = stacks.find((s) => `stack:${s.key}` === overId);
  if (stack) return { key: stack.key, index: stack.records.length };
  for (const s of stacks) {
    const index = s.records.findIndex((r) => r.id === overId);
    if (index >= 0) return { key: s.key, index };
  }
  return null;
}

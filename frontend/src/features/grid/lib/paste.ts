// Where a pasted block goes: cells from the anchor rightwards and downwards, skipping computed
// columns; rows below the last record become new records; a single value pasted over a larger
// selection fills it (as spreadsheets do). Values are parsed per type where we can; text the grid
// cannot read goes as typed and the API's typecast decides (it knows more spellings).
import { isEditable, ParseError, parseInput } from "@/features/grid/lib/field-values";
import type { CellChange } from "@/features/grid/lib/undo";
import type { FieldDef, RecordRow } from "@/types/api";

export interface PastePlan {
  updates: { id: string; fields: Record<string, unknown> }[];
  creates: { fields: Record<string, unknown> }[];
  /** Before/after of every updated cell, for undo. */
  changes: CellChange[];
  /** Cells left alone: computed columns, columns past the last one. */
  skipped: number;
}

export interface PasteInput {
  /** Top-left cell: [column, row]. */
  anchor: readonly [number, number];
  values: readonly (readonly string[])[];
  columns: readonly FieldDef[];
  rowCount: number;
  recordAt: (row: number) => RecordRow | undefined;
  /** The selected range, when the selection is larger than one cell. */
  selection?: { width: number; height: number };
}

function valueFor(field: FieldDef, raw: string): unknown {
  try {
    return parseInput(field, raw);
  } catch (error) {
    if (error instanceof ParseError) return raw === "" ? null : raw;
    throw error;
  }
}

export function planPaste(input: PasteInput): PastePlan {
  const { anchor, columns, rowCount, recordAt } = input;
  let values = input.values;
  const single = values.length === 1 && values[0]?.length === 1;
  const area = input.selection;
  if (single && area && (area.width > 1 || area.height > 1)) {
    const cell = values[0]?.[0] ?? "";
    values = Array.from({ length: area.height }, () => Array.from({ length: area.width }, () => cell));
  }
  const plan: PastePlan = { updates: [], creates: [], changes: [], skipped: 0 };
  values.forEach((cells, i) => {
    const row = anchor[1] + i;
    const fields: Record<string, unknown> = {};
    cells.forEach((raw, j) => {
      const field = columns[anchor[0] + j];
      if (!field || !isEditable(field)) {
        plan.skipped += 1;
        return;
      }
      fields[field.id] = valueFor(field, raw);
    });
    if (Object.keys(fields).length === 0) return;
    if (row >= rowCount) {
      plan.creates.push({ fields });
      return;
    }
    const record = recordAt(row);
    if (!record) {
      plan.skipped += Object.keys(fields).length;
      return;
    }
    plan.updates.push({ id: record.id, fields });
    for (const [fieldId, after] of Object.entries(fields)) {
      plan.changes.push({ recordId: record.id, fieldId, before: record.fields[fieldId] ?? null, after });
    }
  });
  return plan;
}

// Undo/redo of one's own edits. An entry is a set of cell changes (one edit, a paste, a fill) with
// the values before and after; undoing writes the "before" values back through the same API path.

export interface CellChange {
  recordId: string;
  fieldId: string;
  before: unknown;
  after: unknown;
}

export interface UndoEntry {
  label: string;
  changes: CellChange[];
}

export class UndoStack {
  private readonly done: UndoEntry[] = [];
  private readonly undone: UndoEntry[] = [];
  private readonly limit: number;

  constructor(limit = 100) {
    this.limit = limit;
  }

  push(entry: UndoEntry): void {
    if (entry.changes.length === 0) return;
    this.done.push(entry);
    if (this.done.length > this.limit) this.done.shift();
    // A new edit ends the redo branch, as in every editor.
    this.undone.length = 0;
  }

  canUndo(): boolean {
    return this.done.length > 0;
  }

  canRedo(): boolean {
    return this.undone.length > 0;
  }

  /** The entry to revert, moved to the redo side; apply its changes' `before` values. */
  undo(): UndoEntry | undefined {
    const entry = this.done.pop();
    if (entry) this.undone.push(entry);
    return entry;
  }

  /** The entry to re-apply, moved back; apply its changes' `after` values. */
  redo(): UndoEntry | undefined {
    const entry = this.undone.pop();
    if (entry) this.done.push(entry);
    return entry;
  }

  /** A write of an undo/redo failed: put the entry back where it was so nothing is lost. */
  restore(entry: UndoEntry, from: "undo" | "redo"): void {
    const [source, target] = from === "undo" ? [this.undone, this.done] : [this.done, this.undone];
    const at = source.lastIndexOf(entry);
    if (at >= 0) source.splice(at, 1);
    target.push(entry);
  }

  /** Records deleted (here or elsewhere) cannot be restored by a cell write: drop their changes. */
  forget(recordIds: ReadonlySet<string>): void {
    for (const stack of [this.done, this.undone]) {
      for (let i = stack.length - 1; i >= 0; i -= 1) {
        const entry = stack[i];
        if (!entry) continue;
        const kept = entry.changes.filter((change) => !recordIds.has(change.recordId));
        if (kept.length === 0) stack.splice(i, 1);
        else stack[i] = { ...entry, changes: kept };
      }
    }
  }

  clear(): void {
    this.done.length = 0;
    this.undone.length = 0;
  }
}

/** The field values an entry writes per record, for undo (`before`) or redo (`after`). */
export function valuesByRecord(entry: UndoEntry, side: "before" | "after"): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const change of entry.changes) {
    const fields = out.get(change.recordId) ?? {};
    fields[change.fieldId] = change[side];
    out.set(change.recordId, fields);
  }
  return out;
}

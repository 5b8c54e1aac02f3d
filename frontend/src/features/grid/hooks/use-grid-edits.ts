// Every write the grid makes: single-cell edits with If-Match (412 -> conflict dialog), batch writes
// for paste/fill/clear (chunks of 1,000, typecast), row creation and deletion, undo/redo of one's own
// edits. Optimistic: the cell shows the new value at once; a failed write is rolled back visibly
// (toast with the reason and a Retry), never dropped silently.
import { useCallback, useMemo, useRef, useState } from "react";

import { toast } from "@/components/ui/toaster";
import {
  createRecords,
  deleteRecords,
  recordWriter,
  updateRecords,
} from "@/features/grid/api/records";
import { keepMine, saveEdit, type Conflict, type EditOutcome } from "@/features/grid/lib/conflict";
import { toWritable } from "@/features/grid/lib/field-values";
import type { PageCache } from "@/features/grid/lib/page-cache";
import { chunks } from "@/features/grid/lib/tsv";
import { UndoStack, valuesByRecord, type CellChange, type UndoEntry } from "@/features/grid/lib/undo";
import { errorMessage } from "@/lib/api/errors";
import type { FieldDef, RecordRow } from "@/types/api";

export const BATCH_SIZE = 1000;

export interface GridEdits {
  editCell: (record: RecordRow, field: FieldDef, value: unknown) => Promise<void>;
  writeBatch: (
    label: string,
    updates: { id: string; fields: Record<string, unknown> }[],
    creates: { fields: Record<string, unknown> }[],
    changes: CellChange[],
  ) => Promise<void>;
  addRecord: (fields?: Record<string, unknown>) => Promise<RecordRow | null>;
  deleteRows: (recordIds: string[]) => Promise<void>;
  undo: () => Promise<void>;
  redo: () => Promise<void>;
  conflict: { conflict: Conflict; field: FieldDef } | null;
  resolveConflict: (choice: "mine" | "theirs") => Promise<void>;
  busy: number;
  forget: (recordIds: string[]) => void;
  /** This tab wrote the record in the last seconds (its change event is our own echo). */
  wroteRecently: (recordId: string) => boolean;
}

const ECHO_MS = 15_000;

export function useGridEdits(options: {
  tableId: string;
  cache: PageCache;
  fieldsById: Map<string, FieldDef>;
  touch: () => void;
  reload: () => void;
}): GridEdits {
  const { tableId, cache, fieldsById, touch, reload } = options;
  const stack = useRef(new UndoStack());
  const [conflicts, setConflicts] = useState<{ conflict: Conflict; field: FieldDef }[]>([]);
  const [busy, setBusy] = useState(0);
  const recent = useRef(new Map<string, number>());
  const writer = useMemo(() => {
    const base = recordWriter(tableId);
    return {
      ...base,
      patch: (recordId: string, fields: Record<string, unknown>, version: number) => {
        recent.current.set(recordId, Date.now());
        return base.patch(recordId, fields, version);
      },
    };
  }, [tableId]);
  const wroteRecently = useCallback((recordId: string) => {
    const at = recent.current.get(recordId);
    return at !== undefined && Date.now() - at < ECHO_MS;
  }, []);
  const noteWrites = useCallback((ids: string[]) => {
    const now = Date.now();
    for (const id of ids) recent.current.set(id, now);
    if (recent.current.size > 5000) {
      for (const [id, at] of recent.current) if (now - at > ECHO_MS) recent.current.delete(id);
    }
  }, []);

  const track = useCallback(async <T,>(work: Promise<T>): Promise<T> => {
    setBusy((n) => n + 1);
    try {
      return await work;
    } finally {
      setBusy((n) => n - 1);
    }
  }, []);

  const settle = useCallback(
    (outcome: EditOutcome, original: RecordRow, field: FieldDef, value: unknown, retry: () => void) => {
      if (outcome.kind === "saved") {
        cache.replace(outcome.record);
        stack.current.push({
          label: `Edit ${field.name}`,
          changes: [{ recordId: original.id, fieldId: field.id, before: original.fields[field.id] ?? null, after: value }],
        });
      } else if (outcome.kind === "conflict") {
        setConflicts((list) => [...list, { conflict: outcome.conflict, field }]);
      } else {
        // Roll back visibly and offer the same write again.
        cache.replace(original);
        toast.error(`${field.name} was not saved: ${errorMessage(outcome.error)}`, {
          duration: 15_000,
          action: { label: "Retry", onClick: retry },
        });
      }
      touch();
    },
    [cache, touch],
  );

  const editCell = useCallback(
    async (record: RecordRow, field: FieldDef, value: unknown): Promise<void> => {
      const original = record;
      cache.replace({ ...record, fields: { ...record.fields, [field.id]: value } });
      touch();
      const outcome = await track(saveEdit(writer, original, { [field.id]: value }));
      settle(outcome, original, field, value, () => void editCell(original, field, value));
    },
    [cache, settle, touch, track, writer],
  );

  const resolveConflict = useCallback(
    async (choice: "mine" | "theirs") => {
      const current = conflicts[0];
      if (!current) return;
      setConflicts((list) => list.slice(1));
      const { conflict, field } = current;
      if (choice === "theirs") {
        cache.replace(conflict.theirs);
        touch();
        return;
      }
      const outcome = await track(keepMine(writer, conflict));
      const value = conflict.mine[field.id];
      settle(outcome, conflict.theirs, field, value, () => void editCell(conflict.theirs, field, value));
    },
    [cache, conflicts, editCell, settle, touch, track, writer],
  );

  const applyUpdates = useCallback(
    async (updates: { id: string; fields: Record<string, unknown> }[]): Promise<number> => {
      let done = 0;
      for (const chunk of chunks(updates, BATCH_SIZE)) {
        noteWrites(chunk.map((u) => u.id));
        const saved = await updateRecords(tableId, chunk);
        for (const record of saved) cache.replace(record);
        done += chunk.length;
        touch();
      }
      return done;
    },
    [cache, noteWrites, tableId, touch],
  );

  const writeBatch = useCallback<GridEdits["writeBatch"]>(
    async (label, updates, creates, changes) => {
      const previous = new Map<string, RecordRow>();
      for (const update of updates) {
        const at = cache.indexOf(update.id);
        const record = at >= 0 ? cache.row(at) : undefined;
        if (!record) continue;
        previous.set(update.id, record);
        cache.replace({ ...record, fields: { ...record.fields, ...update.fields } });
      }
      touch();
      let written = 0;
      try {
        written = await track(applyUpdates(updates));
        for (const chunk of chunks(creates, BATCH_SIZE)) {
          noteWrites((await track(createRecords(tableId, chunk))).map((r) => r.id));
          written += chunk.length;
        }
        if (creates.length) reload();
        const count = updates.length + creates.length;
        if (count > 1) toast.success(`${label}: ${count.toLocaleString()} record${count === 1 ? "" : "s"} saved`);
      } catch (error) {
        // Chunks are all-or-nothing: roll back the records of the chunks that did not go through.
        const failed = updates.slice(written);
        for (const update of failed) {
          const before = previous.get(update.id);
          if (before) cache.replace(before);
        }
        if (creates.length && written > updates.length) reload();
        touch();
        const retryUpdates = failed;
        const retryCreates = written > updates.length ? creates.slice(written - updates.length) : creates;
        toast.error(`${label} was not saved for ${(retryUpdates.length + retryCreates.length).toLocaleString()} records: ${errorMessage(error)}`, {
          duration: 20_000,
          action: {
            label: "Retry",
            onClick: () => void writeBatch(label, retryUpdates, retryCreates, changes.filter((c) => retryUpdates.some((u) => u.id === c.recordId))),
          },
        });
      } finally {
        const savedIds = new Set(updates.slice(0, Math.min(written, updates.length)).map((u) => u.id));
        stack.current.push({ label, changes: changes.filter((change) => savedIds.has(change.recordId)) });
      }
    },
    [applyUpdates, cache, noteWrites, reload, tableId, touch, track],
  );

  const replay = useCallback(
    async (entry: UndoEntry, side: "before" | "after", from: "undo" | "redo") => {
      const updates = [...valuesByRecord(entry, side)].map(([id, values]) => {
        const fields: Record<string, unknown> = {};
        for (const [fieldId, value] of Object.entries(values)) {
          const field = fieldsById.get(fieldId);
          if (field) fields[fieldId] = toWritable(field, value);
        }
        return { id, fields };
      });
      try {
        await track(applyUpdates(updates));
        toast(`${from === "undo" ? "Undid" : "Redid"}: ${entry.label}`);
      } catch (error) {
        stack.current.restore(entry, from);
        toast.error(`Could not ${from} ${entry.label}: ${errorMessage(error)}`);
      }
    },
    [applyUpdates, fieldsById, track],
  );

  const undo = useCallback(async () => {
    const entry = stack.current.undo();
    if (!entry) {
      toast("Nothing to undo");
      return;
    }
    await replay(entry, "before", "undo");
  }, [replay]);

  const redo = useCallback(async () => {
    const entry = stack.current.redo();
    if (!entry) {
      toast("Nothing to redo");
      return;
    }
    await replay(entry, "after", "redo");
  }, [replay]);

  const addRecord = useCallback(
    async (fields: Record<string, unknown> = {}) => {
      try {
        const [created] = await track(createRecords(tableId, [{ fields }]));
        if (created) noteWrites([created.id]);
        reload();
        return created ?? null;
      } catch (error) {
        toast.error(`The record was not added: ${errorMessage(error)}`);
        return null;
      }
    },
    [noteWrites, reload, tableId, track],
  );

  const forget = useCallback((recordIds: string[]) => stack.current.forget(new Set(recordIds)), []);

  const deleteRows = useCallback(
    async (recordIds: string[]) => {
      if (!recordIds.length) return;
      try {
        noteWrites(recordIds);
        for (const chunk of chunks(recordIds, BATCH_SIZE)) await track(deleteRecords(tableId, chunk));
        forget(recordIds);
        reload();
        toast.success(`${recordIds.length.toLocaleString()} record${recordIds.length === 1 ? "" : "s"} moved to the trash`);
      } catch (error) {
        reload();
        toast.error(`Records were not deleted: ${errorMessage(error)}`);
      }
    },
    [forget, noteWrites, reload, tableId, track],
  );

  return {
    editCell,
    writeBatch,
    addRecord,
    deleteRows,
    undo,
    redo,
    conflict: conflicts[0] ?? null,
    resolveConflict,
    busy,
    forget,
    wroteRecently,
  };
}

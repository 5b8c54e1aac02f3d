// The record panel (the grid's, every field with its editor) opened from a kanban, gallery or
// calendar card. Writes are PATCHes with If-Match; on 412 the record is read again and the edit is
// re-sent when the other writer left this field alone, otherwise their value is kept and shown.
import { lazy, Suspense, useEffect, useState } from "react";

import { toast } from "@/components/ui/toaster";
import { getRecord, patchRecord } from "@/hooks/use-view-records";
import { ApiError, errorMessage } from "@/lib/api/errors";
import type { FieldDef, RecordRow } from "@/types/api";

const RecordPanel = lazy(() => import("@/features/grid/components/record-panel"));

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function ViewRecordPanel({
  tableId,
  record,
  fields,
  primaryFieldId,
  canEdit,
  onClose,
  onRecord,
}: {
  tableId: string;
  record: RecordRow;
  fields: FieldDef[];
  primaryFieldId: string | null | undefined;
  canEdit: boolean;
  onClose: () => void;
  onRecord: (record: RecordRow) => void;
}) {
  const [current, setCurrent] = useState(record);
  useEffect(() => setCurrent(record), [record]);
  // The panel titles the record with its first field: the primary one.
  const ordered = [...fields].sort((a, b) => (a.id === primaryFieldId ? -1 : b.id === primaryFieldId ? 1 : a.position - b.position));
  const saved = (next: RecordRow) => {
    setCurrent(next);
    onRecord(next);
  };
  const onEdit = async (target: RecordRow, field: FieldDef, value: unknown) => {
    try {
      saved(await patchRecord(tableId, target.id, { [field.id]: value }, current.version));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 412)) {
        toast.error(`Not saved: ${errorMessage(error)}`);
        saved(await getRecord(tableId, target.id).catch(() => current));
        return;
      }
      const fresh = await getRecord(tableId, target.id);
      if (same(fresh.fields[field.id], current.fields[field.id])) {
        saved(await patchRecord(tableId, target.id, { [field.id]: value }, fresh.version));
      } else {
        saved(fresh);
        toast.error(`Someone else changed ${field.name} meanwhile; their value is shown.`);
      }
    }
  };
  return (
    <Suspense fallback={null}>
      <RecordPanel tableId={tableId} record={current} fields={ordered} canEdit={canEdit} onClose={onClose} onEdit={onEdit} onRecord={saved} />
    </Suspense>
  );
}

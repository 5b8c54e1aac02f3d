// Drawings in, records out on a table screen: the files feature's drop zone around the view (new
// records per file, or a grid attachment cell's own record), the extraction feature's results and
// mapping on each upload and each attachment, and extraction status pushed through the WebSocket.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";

import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { AttachmentExtraction } from "@/features/extraction/components/attachment-extraction";
import { ExtractionJobButton } from "@/features/extraction/components/extraction-job-button";
import { useJobEvents } from "@/features/extraction/hooks/use-job-events";
import { AttachmentField } from "@/features/files/components/attachment-field";
import { TableDropZone, type CellDrops } from "@/features/files/components/table-drop-zone";
import { fieldsQuery, recordQuery } from "@/features/records/api/records";
import { errorMessage } from "@/lib/api/errors";
import type { FieldDef, RecordRow } from "@/types/api";

const EDIT_ROLES = new Set(["owner", "admin", "editor"]);

/** The files of one attachment cell: previews and viewer, each file's extraction, and more uploads. */
export function AttachmentCellDialog({
  tableId,
  recordId,
  field,
  canEdit,
  fields,
  onClose,
}: {
  tableId: string;
  recordId: string;
  field: FieldDef;
  canEdit: boolean;
  fields: readonly FieldDef[];
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const record = useQuery(recordQuery(tableId, recordId));
  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="max-h-[90vh] max-w-2xl overflow-y-auto" data-testid="attachment-cell-dialog">
        <DialogHeader>
          <DialogTitle>{field.name}</DialogTitle>
          <DialogDescription>Files of record {recordId}, their extraction and mapping into records.</DialogDescription>
        </DialogHeader>
        {record.isError ? (
          <p role="alert" className="text-destructive text-sm">
            {errorMessage(record.error)}
          </p>
        ) : null}
        {record.data ? (
          <AttachmentField
            tableId={tableId}
            recordId={recordId}
            fieldId={field.id}
            value={record.data.fields[field.id]}
            canEdit={canEdit}
            onUploaded={() => void queryClient.invalidateQueries({ queryKey: recordQuery(tableId, recordId).queryKey })}
            renderJob={(jobId) => <ExtractionJobButton jobId={jobId} tableId={tableId} fields={fields} />}
            renderAttachmentActions={(attachment) => <AttachmentExtraction attachmentId={attachment.id} tableId={tableId} fields={fields} />}
          />
        ) : (
          <p role="status" className="text-muted-foreground text-sm">
            Loading…
          </p>
        )}
      </DialogContent>
    </Dialog>
  );
}

export function TableDrops({
  tableId,
  primaryFieldId,
  role,
  children,
}: {
  tableId: string;
  primaryFieldId?: string | null | undefined;
  role?: string | null | undefined;
  children: (drops: CellDrops, onAttachmentCell: (record: RecordRow, field: FieldDef) => void) => ReactNode;
}) {
  useJobEvents(tableId);
  const fields = useQuery(fieldsQuery(tableId));
  const [cell, setCell] = useState<{ recordId: string; field: FieldDef } | null>(null);
  const canEdit = EDIT_ROLES.has(role ?? "");
  return (
    <TableDropZone
      tableId={tableId}
      primaryFieldId={primaryFieldId}
      fields={fields.data}
      canEdit={canEdit}
      renderJob={(jobId) => <ExtractionJobButton jobId={jobId} tableId={tableId} fields={fields.data ?? []} />}
    >
      {(drops) => (
        <>
          {children(drops, (record, field) => setCell({ recordId: record.id, field }))}
          {cell ? (
            <AttachmentCellDialog
              tableId={tableId}
              recordId={cell.recordId}
              field={cell.field}
              canEdit={canEdit}
              fields={fields.data ?? []}
              onClose={() => setCell(null)}
            />
          ) : null}
        </>
      )}
    </TableDropZone>
  );
}

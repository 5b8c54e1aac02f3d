// Files dropped anywhere on a table page: one new record per file, the file in the table's attachment
// field (asking which one when there are several, offering to create one when there is none); files
// dropped on a grid's attachment cell go into that record's field instead. Every file is checked
// against the server's limits before anything is sent, and shows its own progress in a tray.
import { useQueryClient } from "@tanstack/react-query";
import { FileUp } from "lucide-react";
import { useCallback, useMemo, useRef, useState, type DragEvent, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { createAttachmentField, newRecordUploadSteps, uploadSteps } from "@/features/files/api/uploads";
import { UploadRow } from "@/features/files/components/upload-drop-zone";
import { useUploadTray } from "@/features/files/hooks/use-upload-queue";
import { carriesFiles, newAttachmentFieldName, planTableDrop, type FieldLike } from "@/features/files/lib/table-drop";
import { errorMessage } from "@/lib/api/errors";
import { queryKeys } from "@/lib/query-keys";
import { cn } from "@/lib/utils";

/** What a view (the grid) calls for drops on its own cells. */
export interface CellDrops {
  /** Files dropped on a record's attachment cell: uploaded into that field, not into new records. */
  dropOnCell: (recordId: string, fieldId: string, files: readonly File[]) => void;
  /** The drag is over an attachment cell (named for the hint), or over anything else (null). */
  dragOverCell: (target: { fieldName: string } | null) => void;
}

type Pending = { files: File[]; step: "choose"; fields: FieldLike[] } | { files: File[]; step: "create"; error: string | null; busy: boolean };

export function TableDropZone({
  tableId,
  primaryFieldId,
  fields,
  canEdit,
  renderJob,
  children,
}: {
  tableId: string;
  primaryFieldId?: string | null | undefined;
  fields: readonly FieldLike[] | undefined;
  canEdit: boolean;
  /** Actions on an upload's extraction job (the app passes the extraction feature's). */
  renderJob?: (jobId: string) => ReactNode;
  children: (drops: CellDrops) => ReactNode;
}) {
  const queryClient = useQueryClient();
  const tray = useUploadTray();
  const [over, setOver] = useState(false);
  const [overCell, setOverCell] = useState<{ fieldName: string } | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  // Glide handles a drop on its canvas in a native listener, before this element's React handler
  // sees the same event: a drop taken by a cell is marked here so it does not also create records.
  const takenByCell = useRef(false);
  const { add } = tray;

  const toField = useCallback(
    (fieldId: string, files: File[]) => void add(files, newRecordUploadSteps({ tableId, fieldId, primaryFieldId }, (file) => file)),
    [add, tableId, primaryFieldId],
  );

  const drops = useMemo<CellDrops>(
    () => ({
      dropOnCell: (recordId, fieldId, files) => {
        takenByCell.current = true;
        setTimeout(() => (takenByCell.current = false), 0);
        setOver(false);
        setOverCell(null);
        if (!canEdit || files.length === 0) return;
        void add([...files], uploadSteps({ tableId, recordId, fieldId }, (file) => file));
      },
      dragOverCell: setOverCell,
    }),
    [add, canEdit, tableId],
  );

  function onDrop(event: DragEvent<HTMLDivElement>) {
    if (!carriesFiles(event.dataTransfer.types)) return;
    event.preventDefault();
    setOver(false);
    setOverCell(null);
    if (takenByCell.current) {
      takenByCell.current = false;
      return;
    }
    const files = Array.from(event.dataTransfer.files);
    if (!canEdit || files.length === 0 || !fields) return;
    const plan = planTableDrop(fields);
    if (plan.kind === "field") toField(plan.field.id, files);
    else if (plan.kind === "choose") setPending({ files, step: "choose", fields: plan.fields });
    else setPending({ files, step: "create", error: null, busy: false });
  }

  async function createFieldAndUpload(files: File[]) {
    setPending({ files, step: "create", error: null, busy: true });
    try {
      const field = await createAttachmentField(tableId, newAttachmentFieldName(fields ?? []));
      void queryClient.invalidateQueries({ queryKey: queryKeys.fields(tableId) });
      setPending(null);
      toField(field.id, files);
    } catch (error) {
      setPending({ files, step: "create", error: errorMessage(error), busy: false });
    }
  }

  const count = pending ? `${pending.files.length} file${pending.files.length === 1 ? "" : "s"}` : "";
  return (
    <div
      className="relative flex min-h-0 flex-1 flex-col"
      data-testid="table-drop-zone"
      onDragOver={(event) => {
        if (!canEdit || !carriesFiles(event.dataTransfer.types)) return;
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) {
          setOver(false);
          setOverCell(null);
        }
      }}
      onDrop={onDrop}
    >
      {children(drops)}
      {over ? (
        // Never in the way of the drop itself: the grid below must still see which cell it is over.
        <div
          className={cn("pointer-events-none absolute inset-0 z-10 flex items-end justify-center rounded border-2 border-dashed border-primary bg-primary/5 p-6")}
          data-testid="table-drop-hint"
        >
          <span className="bg-background flex items-center gap-2 rounded-md border px-3 py-2 text-sm shadow">
            <FileUp className="h-4 w-4" aria-hidden />
            {overCell ? `Drop to add the files to ${overCell.fieldName} of this record` : "Drop files to create one record per file"}
          </span>
        </div>
      ) : null}
      {tray.items.length ? (
        <section
          className="bg-background fixed bottom-4 right-4 z-40 max-h-[50vh] w-96 space-y-2 overflow-y-auto rounded-md border p-3 shadow-lg"
          aria-label="Uploads"
          data-testid="upload-tray"
        >
          <h2 className="text-sm font-semibold">Uploads</h2>
          <ul className="space-y-1">
            {tray.items.map((item) => (
              <UploadRow key={item.id} item={item} onDismiss={() => tray.dismiss(item.id)} renderJob={renderJob} />
            ))}
          </ul>
        </section>
      ) : null}
      {tray.limitsError && over ? <p className="text-destructive text-xs">The upload limits could not be loaded.</p> : null}
      <Dialog open={pending !== null} onOpenChange={(open) => (open ? undefined : setPending(null))}>
        <DialogContent data-testid="table-drop-dialog">
          {pending?.step === "choose" ? (
            <>
              <DialogHeader>
                <DialogTitle>Which field gets the files?</DialogTitle>
                <DialogDescription>One new record per file ({count}), the file in the field you choose.</DialogDescription>
              </DialogHeader>
              <div className="flex flex-wrap gap-2">
                {pending.fields.map((field) => (
                  <Button
                    key={field.id}
                    variant="outline"
                    onClick={() => {
                      setPending(null);
                      toField(field.id, pending.files);
                    }}
                  >
                    {field.name}
                  </Button>
                ))}
              </div>
            </>
          ) : pending?.step === "create" ? (
            <>
              <DialogHeader>
                <DialogTitle>This table has no attachment field</DialogTitle>
                <DialogDescription>
                  Create the field “{newAttachmentFieldName(fields ?? [])}” and add one record per file ({count})?
                </DialogDescription>
              </DialogHeader>
              {pending.error ? (
                <p role="alert" className="text-destructive text-sm">
                  {pending.error}
                </p>
              ) : null}
              <DialogFooter>
                <Button variant="outline" onClick={() => setPending(null)}>
                  Cancel
                </Button>
                <Button disabled={pending.busy} onClick={() => void createFieldAndUpload(pending.files)}>
                  Create field and upload
                </Button>
              </DialogFooter>
            </>
          ) : null}
        </DialogContent>
      </Dialog>
    </div>
  );
}

// The full record panel, opened from any view: every field with its editor, attachments (the app
// passes the files feature's uploads and viewer in), linked records that open in turn, comments
// with @mentions, the history timeline, and delete to trash.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ExternalLink, Trash2 } from "lucide-react";
import type { ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { toast } from "@/components/ui/toaster";
import { deleteRecord, fieldsQuery, historyQuery, patchRecord, recordQuery } from "@/features/records/api/records";
import { FieldEditor } from "@/features/records/components/field-editor";
import { HistoryTimeline } from "@/features/records/components/history-timeline";
import { useLiveRecord } from "@/features/records/hooks/use-live-record";
import { RecordComments } from "@/features/records/components/record-comments";
import { describeValue } from "@/features/records/lib/history";
import { linkedRefs } from "@/features/records/lib/links";
import type { Person } from "@/features/records/lib/mentions";
import { ApiError, errorMessage, isTransient } from "@/lib/api/errors";
import type { FieldDef, RecordRow } from "@/types/api";

const EDIT_ROLES = new Set(["owner", "admin", "editor"]);
const COMMENT_ROLES = new Set([...EDIT_ROLES, "commenter"]);

export interface RecordPanelProps {
  tableId: string;
  recordId: string;
  primaryFieldId?: string | null | undefined;
  role?: string | null | undefined;
  people?: readonly Person[];
  onClose: () => void;
  /** Open another record (a linked one), possibly in another table. */
  onOpenRecord?: (tableId: string, recordId: string) => void;
  /** The attachments of a field: previews, the drawing viewer and the upload area (files feature). */
  renderAttachments?: (args: { field: FieldDef; record: RecordRow; canEdit: boolean; refresh: () => void }) => ReactNode;
  /** Files dropped anywhere on the panel (outside a field's own drop area), for editors only. */
  onDropFiles?: (files: File[]) => void;
  /** The record picker of a link field (the app passes the grid's); `onChange` takes record IDs. */
  renderLinkEditor?: (args: { field: FieldDef; value: unknown; onChange: (recordIds: string[] | null) => void }) => ReactNode;
}

export function RecordPanel({
  tableId,
  recordId,
  primaryFieldId,
  role,
  people = [],
  onClose,
  onOpenRecord,
  renderAttachments,
  onDropFiles,
  renderLinkEditor,
}: RecordPanelProps) {
  const queryClient = useQueryClient();
  const record = useQuery(recordQuery(tableId, recordId));
  const fields = useQuery(fieldsQuery(tableId));
  const history = useQuery({ ...historyQuery(tableId, recordId), enabled: record.isSuccess });
  // Teammates' new fields and edits of this record show while the panel is open.
  useLiveRecord(tableId, recordId);
  const canEdit = EDIT_ROLES.has(role ?? "");
  const canComment = COMMENT_ROLES.has(role ?? "");
  const names = new Map(people.map((p) => [p.id, p.name]));

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: recordQuery(tableId, recordId).queryKey });
  };

  const save = useMutation({
    // One save at a time, each on top of the version the previous one left: edits typed in quick
    // succession would otherwise all carry the same If-Match and refuse each other.
    scope: { id: `record-panel-${tableId}-${recordId}` },
    mutationFn: async ({ field, value }: { field: FieldDef; value: unknown }) => {
      const current = queryClient.getQueryData(recordQuery(tableId, recordId).queryKey) ?? record.data;
      if (!current) throw new Error("The record is not loaded.");
      try {
        return await patchRecord(tableId, recordId, { [field.id]: value }, current.version);
      } catch (error) {
        // Someone saved meanwhile: send again on top of their version (this field is ours).
        if (error instanceof ApiError && error.status === 412) {
          const fresh = await queryClient.fetchQuery({ ...recordQuery(tableId, recordId), staleTime: 0 });
          return patchRecord(tableId, recordId, { [field.id]: value }, fresh.version);
        }
        throw error;
      }
    },
    // A reset connection or a gateway error is tried twice more (1 s, then 2 s later) before the
    // panel says the value was not saved.
    retry: (failures, error) => failures < 2 && isTransient(error),
    onSuccess: (next) => {
      queryClient.setQueryData(recordQuery(tableId, recordId).queryKey, next);
      void queryClient.invalidateQueries({ queryKey: historyQuery(tableId, recordId).queryKey });
      void queryClient.invalidateQueries({ queryKey: ["tables", tableId, "records"] });
    },
    onError: (error, { field }) => toast.error(`${field.name} not saved: ${errorMessage(error)}`),
  });

  const remove = useMutation({
    mutationFn: () => deleteRecord(tableId, recordId),
    onSuccess: () => {
      toast.success("Record moved to the trash.");
      void queryClient.invalidateQueries({ queryKey: ["tables", tableId, "records"] });
      onClose();
    },
    onError: (error) => toast.error(`Not deleted: ${errorMessage(error)}`),
  });

  const ordered = [...(fields.data ?? [])].sort((a, b) =>
    a.id === primaryFieldId ? -1 : b.id === primaryFieldId ? 1 : a.position - b.position,
  );
  const primary = ordered[0];
  const title = record.data && primary ? describeValue(record.data.fields[primary.id]) : "Record";
  const links = ordered.filter((f) => f.type === "link");

  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent
        className="max-h-[90vh] max-w-2xl overflow-y-auto"
        data-testid="full-record-panel"
        onDragOver={(event) => {
          if (canEdit && onDropFiles && event.dataTransfer.types.includes("Files")) event.preventDefault();
        }}
        onDrop={(event) => {
          if (!canEdit || !onDropFiles || event.dataTransfer.files.length === 0) return;
          event.preventDefault();
          onDropFiles(Array.from(event.dataTransfer.files));
        }}
      >
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{recordId}</DialogDescription>
        </DialogHeader>
        {record.isError ? (
          <p role="alert" className="text-destructive text-sm">
            {errorMessage(record.error)}
          </p>
        ) : null}
        {record.data && fields.data ? (
          <Tabs defaultValue="fields">
            <TabsList>
              <TabsTrigger value="fields">Fields</TabsTrigger>
              <TabsTrigger value="comments">Comments</TabsTrigger>
              <TabsTrigger value="history">History</TabsTrigger>
            </TabsList>
            <TabsContent value="fields" className="space-y-3 pt-2">
              {ordered.map((field) =>
                field.type === "attachment" ? (
                  <section key={field.id} className="space-y-1" aria-label={field.name} data-testid="panel-attachments">
                    <h3 className="text-muted-foreground text-xs font-medium">{field.name}</h3>
                    {renderAttachments?.({ field, record: record.data, canEdit, refresh }) ?? (
                      <p className="text-sm">{describeValue(record.data.fields[field.id])}</p>
                    )}
                  </section>
                ) : field.type === "link" ? null : (
                  <FieldEditor
                    key={field.id}
                    field={field}
                    value={record.data.fields[field.id]}
                    canEdit={canEdit}
                    people={people}
                    onSave={(value) => save.mutateAsync({ field, value })}
                  />
                ),
              )}
              {links.map((field) => {
                const refs = linkedRefs(record.data.fields[field.id]);
                const target = String(field.options.linked_table_id ?? "");
                return (
                  <section key={field.id} className="space-y-1" aria-label={field.name} data-testid="panel-links">
                    <h3 className="text-muted-foreground text-xs font-medium">{field.name}</h3>
                    {refs.length === 0 && !(canEdit && renderLinkEditor) ? <p className="text-muted-foreground text-sm">No linked records.</p> : null}
                    <ul className="flex flex-wrap gap-1">
                      {refs.map((ref) => (
                        <li key={ref.id}>
                          <Button
                            variant="outline"
                            size="sm"
                            disabled={!onOpenRecord || !target}
                            onClick={() => onOpenRecord?.(target, ref.id)}
                          >
                            {ref.name} <ExternalLink className="ml-1 h-3 w-3" aria-hidden />
                          </Button>
                        </li>
                      ))}
                    </ul>
                    {canEdit && renderLinkEditor && record.data
                      ? renderLinkEditor({ field, value: record.data.fields[field.id], onChange: (ids) => save.mutate({ field, value: ids }) })
                      : null}
                  </section>
                );
              })}
              {canEdit ? (
                <div className="border-t pt-3">
                  <Button variant="destructive" size="sm" onClick={() => remove.mutate()} disabled={remove.isPending} data-testid="delete-record">
                    <Trash2 className="mr-1 h-4 w-4" aria-hidden /> Delete to trash
                  </Button>
                </div>
              ) : null}
            </TabsContent>
            <TabsContent value="comments" className="pt-2">
              <RecordComments tableId={tableId} recordId={recordId} people={people} canComment={canComment} />
            </TabsContent>
            <TabsContent value="history" className="pt-2">
              {history.data ? <HistoryTimeline page={history.data} people={names} /> : null}
              {history.isError ? <p className="text-destructive text-sm">{errorMessage(history.error)}</p> : null}
            </TabsContent>
          </Tabs>
        ) : (
          <p role="status" className="text-muted-foreground text-sm">
            Loading…
          </p>
        )}
      </DialogContent>
    </Dialog>
  );
}

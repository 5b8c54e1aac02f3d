// The full record panel (features/records) for the record named by ?open=<id> on a table screen,
// with the files feature's attachments (previews, drawing viewer, uploads) in its attachment
// fields. Any view opens a record by setting the parameter; closing drops it. (?record= stays the
// search's quick read-only dialog.)
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { useMatch, useNavigate, useSearchParams } from "react-router-dom";

import { toast } from "@/components/ui/toaster";
import { AttachmentExtraction } from "@/features/extraction/components/attachment-extraction";
import { ExtractionJobButton } from "@/features/extraction/components/extraction-job-button";
import { AttachmentField } from "@/features/files/components/attachment-field";
import { RecordPanel } from "@/features/records/components/record-panel";
import { fieldsQuery } from "@/features/records/api/records";
import { baseGrantsQuery, baseQuery, membersQuery, tableGrantsQuery, tableQuery } from "@/features/workspaces/api/queries";

export const OPEN_RECORD_PARAM = "open";

// The grid's record picker, loaded when a panel with an editable link field first shows.
const LinkPicker = lazy(() => import("@/features/grid/components/cell-editors").then((m) => ({ default: m.LinkPicker })));

export function RecordPanelFromUrl() {
  const onTable = useMatch("/b/:baseId/t/:tableId/*");
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const recordId = params.get(OPEN_RECORD_PARAM);
  const { baseId = "", tableId = "" } = onTable?.params ?? {};
  const open = Boolean(onTable && recordId);
  const table = useQuery({ ...tableQuery(tableId), enabled: open });
  const fields = useQuery({ ...fieldsQuery(tableId), enabled: open });
  const base = useQuery({ ...baseQuery(baseId), enabled: open });
  const workspaceId = base.data?.workspace_id ?? "";
  // Guests of a base cannot list the workspace's members: mentions then complete nobody.
  const members = useQuery({ ...membersQuery(workspaceId), enabled: open && Boolean(workspaceId), retry: false });
  // Guests granted the base or this table can be picked in user fields too (admins can list grants).
  const baseGrants = useQuery({ ...baseGrantsQuery(baseId), enabled: open, retry: false });
  const tableGrants = useQuery({ ...tableGrantsQuery(tableId), enabled: open, retry: false });
  // Files dropped on the panel outside a field's drop area go to the table's first attachment field.
  const [dropped, setDropped] = useState<{ id: number; files: File[] } | null>(null);
  const firstAttachment = (fields.data ?? []).filter((f) => f.type === "attachment").sort((a, b) => a.position - b.position)[0];
  if (!open || !recordId) return null;
  const listed = (data: unknown) => (Array.isArray(data) ? (data as { user_id: string; name: string; role: string }[]) : []);
  const people = [...listed(members.data), ...listed(baseGrants.data), ...listed(tableGrants.data)]
    .filter((m) => m.role !== "none")
    .map((m) => ({ id: m.user_id, name: m.name }))
    .filter((p, i, all) => all.findIndex((q) => q.id === p.id) === i);
  return (
    <RecordPanel
      key={recordId}
      tableId={tableId}
      recordId={recordId}
      primaryFieldId={table.data?.primary_field_id}
      role={table.data?.role}
      people={people}
      onClose={() =>
        setParams((current) => {
          const next = new URLSearchParams(current);
          next.delete(OPEN_RECORD_PARAM);
          return next;
        })
      }
      onOpenRecord={(targetTable, id) => navigate(`/b/${baseId}/t/${targetTable}?${OPEN_RECORD_PARAM}=${encodeURIComponent(id)}`)}
      onDropFiles={(files) => {
        if (firstAttachment) setDropped((last) => ({ id: (last?.id ?? 0) + 1, files }));
        else toast.error("This table has no attachment field to put the files in.");
      }}
      renderLinkEditor={({ field, value, onChange }) => (
        <Suspense fallback={null}>
          <LinkPicker
            field={field}
            value={value}
            onChange={(next) => onChange(next ? next.map((item) => item.id) : null)}
          />
        </Suspense>
      )}
      renderAttachments={({ field, record, canEdit, refresh }) => (
        <AttachmentField
          tableId={tableId}
          recordId={record.id}
          fieldId={field.id}
          value={record.fields[field.id]}
          canEdit={canEdit}
          onUploaded={refresh}
          incoming={field.id === firstAttachment?.id ? dropped : null}
          renderJob={(jobId) => <ExtractionJobButton jobId={jobId} tableId={tableId} fields={fields.data ?? []} />}
          renderAttachmentActions={(attachment) => (
            <AttachmentExtraction attachmentId={attachment.id} tableId={tableId} fields={fields.data ?? []} />
          )}
        />
      )}
    />
  );
}

// The expanded record: every field with its editor (the same parsing and If-Match path as the grid;
// engineering values show their reading, or why they do not read, as they are typed), attachments
// with thumbnails, open and upload. Loaded on first use.
import { ExternalLink, Paperclip } from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";

import { Checkbox } from "@/components/ui/checkbox";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toaster";
import { getRecord, uploadAttachment } from "@/features/grid/api/records";
import { LinkPicker, SelectPicker } from "@/features/grid/components/cell-editors";
import { fieldKind, formatValue, ParseError, toWritable } from "@/features/grid/lib/field-values";
import { api, unwrap } from "@/lib/api/client";
import { errorMessage } from "@/lib/api/errors";
import { readEngineering } from "@/lib/engineering";
import type { FieldDef, RecordRow } from "@/types/api";

export interface RecordPanelProps {
  tableId: string;
  record: RecordRow;
  fields: FieldDef[];
  canEdit: boolean;
  onClose: () => void;
  /** Write one field (the grid's edit path: optimistic, If-Match, conflicts, rollback). */
  onEdit: (record: RecordRow, field: FieldDef, value: unknown) => Promise<void>;
  /** A record changed by an upload. */
  onRecord: (record: RecordRow) => void;
}

interface FileItem {
  id?: string;
  url?: string;
  filename?: string;
  type?: string;
  thumbnails?: { url: string }[];
}

async function openFile(item: FileItem) {
  try {
    let url = item.url;
    if (item.id?.startsWith("att")) {
      const file = await unwrap(
        api.GET("/files/{attachment_id}", { params: { path: { attachment_id: item.id }, query: { redirect: false } } }),
      );
      url = (file as { url: string }).url;
    }
    if (url) window.open(url, "_blank", "noopener");
  } catch (error) {
    toast.error(`The file could not be opened: ${errorMessage(error)}`);
  }
}

function TextEditor({ field, record, onEdit, multiline }: { field: FieldDef; record: RecordRow; onEdit: RecordPanelProps["onEdit"]; multiline: boolean }) {
  const shown = formatValue(field, record.fields[field.id]);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(shown), [shown]);
  const structured = fieldKind(field).editor === "structured";
  // Engineering values are read as they are typed (once changed: the stored value needs no echo).
  const reading = structured && text !== shown ? readEngineering(field.type, field.options, text) : null;
  const problem = error ?? (reading && !reading.ok ? reading.error : null);
  const commit = () => {
    if (text === shown) return;
    try {
      const value = fieldKind(field).parse(text, field);
      setError(null);
      void onEdit(record, field, value);
    } catch (e) {
      setError(e instanceof ParseError ? e.message : errorMessage(e));
    }
  };
  const hintId = `field-${field.id}-error`;
  const common = {
    id: `field-${field.id}`,
    value: text,
    "aria-invalid": problem ? true : undefined,
    "aria-describedby": problem || reading ? hintId : undefined,
    onBlur: commit,
  };
  const change = (next: string) => {
    setText(next);
    // The live reading speaks for the new text.
    if (structured) setError(null);
  };
  return (
    <>
      {multiline ? (
        <Textarea {...common} rows={4} onChange={(e) => change(e.target.value)} />
      ) : (
        <Input
          {...common}
          onChange={(e) => change(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") commit();
          }}
        />
      )}
      {problem ? (
        <p id={hintId} role="alert" className="text-xs text-destructive" data-testid={structured ? "structured-error" : undefined}>
          {problem}
        </p>
      ) : reading?.ok ? (
        <p id={hintId} className="text-xs text-muted-foreground" data-testid="structured-reading">
          Reads as {reading.text}
        </p>
      ) : null}
    </>
  );
}

function Attachments({ tableId, field, record, canEdit, onRecord }: { tableId: string; field: FieldDef; record: RecordRow; canEdit: boolean; onRecord: (r: RecordRow) => void }) {
  const files = (Array.isArray(record.fields[field.id]) ? record.fields[field.id] : []) as FileItem[];
  const [uploading, setUploading] = useState(0);
  async function upload(list: FileList | null) {
    if (!list) return;
    for (const file of Array.from(list)) {
      setUploading((n) => n + 1);
      try {
        await uploadAttachment({ tableId, recordId: record.id, fieldId: field.id }, file);
        onRecord(await getRecord(tableId, record.id));
      } catch (error) {
        toast.error(`${file.name} was not uploaded: ${errorMessage(error)}`);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  }
  return (
    <div className="grid gap-2">
      <ul className="flex flex-wrap gap-2">
        {files.map((item, index) => (
          <li key={item.id ?? item.url ?? index}>
            <button
              type="button"
              className="flex items-center gap-2 rounded border p-1 text-xs hover:bg-accent"
              onClick={() => void openFile(item)}
              aria-label={`Open ${item.filename ?? "file"}`}
            >
              {item.thumbnails?.[0]?.url ? (
                <img src={item.thumbnails[0].url} alt="" className="h-10 w-10 rounded object-cover" />
              ) : (
                <Paperclip className="h-4 w-4" aria-hidden="true" />
              )}
              {item.filename ?? item.url ?? item.id}
              <ExternalLink className="h-3 w-3" aria-hidden="true" />
            </button>
          </li>
        ))}
      </ul>
      {canEdit && (
        <label className="text-xs text-muted-foreground">
          {uploading ? `Uploading ${uploading} file${uploading === 1 ? "" : "s"}…` : "Upload files"}
          <input
            type="file"
            multiple
            className="mt-1 block text-xs"
            aria-label={`Upload to ${field.name}`}
            onChange={(e) => void upload(e.target.files)}
          />
        </label>
      )}
    </div>
  );
}

function FieldEditor(props: { tableId: string; field: FieldDef; record: RecordRow; canEdit: boolean; onEdit: RecordPanelProps["onEdit"]; onRecord: (r: RecordRow) => void }) {
  const { field, record, canEdit, onEdit } = props;
  const kind = fieldKind(field);
  const value = record.fields[field.id];
  if (kind.editor === "attachment") return <Attachments {...props} />;
  if (!canEdit || kind.editor === "readonly") {
    return <p className="min-h-9 rounded bg-muted px-3 py-2 text-sm">{formatValue(field, value) || "—"}</p>;
  }
  switch (kind.editor) {
    case "checkbox":
      return <Checkbox id={`field-${field.id}`} checked={value === true} onCheckedChange={(c) => void onEdit(record, field, c === true)} />;
    case "select":
    case "multi_select":
      return <SelectPicker field={field} value={value} onChange={(next) => void onEdit(record, field, next)} />;
    case "link":
      return <LinkPicker field={field} value={value} onChange={(next) => void onEdit(record, field, toWritable(field, next))} />;
    default:
      return <TextEditor field={field} record={record} onEdit={onEdit} multiline={kind.editor === "long_text"} />;
  }
}

export default function RecordPanel({ tableId, record, fields, canEdit, onClose, onEdit, onRecord }: RecordPanelProps) {
  // Hidden fields are not in the grid's rows: read the whole record.
  const [full, setFull] = useState<RecordRow>(record);
  useEffect(() => {
    let live = true;
    getRecord(tableId, record.id)
      .then((fresh) => live && setFull(fresh))
      .catch((error: unknown) => live && toast.error(errorMessage(error)));
    return () => {
      live = false;
    };
  }, [tableId, record.id, record.version]);
  const primary = fields[0];
  const title = primary ? formatValue(primary, full.fields[primary.id]) : "";
  const edit = async (target: RecordRow, field: FieldDef, value: unknown) => {
    setFull({ ...target, fields: { ...target.fields, [field.id]: value } });
    await onEdit(target, field, value);
  };
  const rows: ReactNode[] = fields.map((field) => (
    <div key={field.id} className="grid gap-1" data-testid={`record-field-${field.name}`}>
      <label htmlFor={`field-${field.id}`} className="text-xs font-medium text-muted-foreground">
        {field.name}
      </label>
      <FieldEditor tableId={tableId} field={field} record={full} canEdit={canEdit} onEdit={edit} onRecord={(r) => { setFull(r); onRecord(r); }} />
    </div>
  ));
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="max-h-[90vh] max-w-2xl overflow-y-auto" data-testid="record-panel">
        <DialogHeader>
          <DialogTitle>{title || "Untitled record"}</DialogTitle>
          <DialogDescription>
            {full.id} · version {full.version}
          </DialogDescription>
        </DialogHeader>
        <div className="grid gap-4">{rows}</div>
      </DialogContent>
    </Dialog>
  );
}

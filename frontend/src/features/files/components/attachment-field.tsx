// An attachment field in the record panel: previews that open the viewer, each file's own actions
// (the app passes the extraction's results and mapping), and the upload area.
import { FileText } from "lucide-react";
import { useState, type ReactNode } from "react";

import { AttachmentViewer } from "@/features/files/components/attachment-viewer";
import { UploadDropZone } from "@/features/files/components/upload-drop-zone";
import { attachmentsOf, type AttachmentValue } from "@/features/files/lib/attachments";

export function AttachmentField({
  tableId,
  recordId,
  fieldId,
  value,
  canEdit,
  onUploaded,
  renderJob,
  renderAttachmentActions,
  incoming,
}: {
  tableId: string;
  recordId: string;
  fieldId: string;
  value: unknown;
  canEdit: boolean;
  onUploaded: () => void;
  renderJob?: (jobId: string) => ReactNode;
  /** Shown under a file's preview: what can be done with that file beyond viewing it. */
  renderAttachmentActions?: (attachment: AttachmentValue) => ReactNode;
  /** Files dropped on the record panel as a whole, for this field. */
  incoming?: { id: number; files: File[] } | null | undefined;
}) {
  const [open, setOpen] = useState<AttachmentValue | null>(null);
  const attachments = attachmentsOf(value);
  return (
    <div className="space-y-2">
      {attachments.length ? (
        <ul className="flex flex-wrap gap-2">
          {attachments.map((attachment) => (
            <li key={attachment.id} className="flex w-28 flex-col gap-1" data-testid="attachment-item">
              <button
                type="button"
                className="flex w-28 flex-col items-center gap-1 rounded border p-1 text-xs hover:bg-accent"
                onClick={() => setOpen(attachment)}
                data-testid="attachment-preview"
              >
                {attachment.thumbnails[0] ? (
                  <img src={attachment.thumbnails[0].url} alt="" className="h-20 w-full bg-white object-contain" />
                ) : (
                  <FileText className="h-20 w-10 text-muted-foreground" aria-hidden />
                )}
                <span className="w-full truncate">{attachment.filename}</span>
              </button>
              {renderAttachmentActions?.(attachment)}
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-muted-foreground text-sm">No files.</p>
      )}
      {canEdit ? <UploadDropZone target={{ tableId, recordId, fieldId }} onUploaded={onUploaded} renderJob={renderJob} incoming={incoming} /> : null}
      {open ? <AttachmentViewer attachment={open} onClose={() => setOpen(null)} /> : null}
    </div>
  );
}

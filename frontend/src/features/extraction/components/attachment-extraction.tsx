// The extraction of a file already in a record (uploaded now or long ago): its job is looked up by
// attachment, then the same results-and-mapping button as after an upload.
import { useQuery } from "@tanstack/react-query";

import { attachmentJobQuery } from "@/features/extraction/api/jobs";
import { ExtractionJobButton } from "@/features/extraction/components/extraction-job-button";
import type { TableField } from "@/features/extraction/lib/mapping";

export function AttachmentExtraction({ attachmentId, tableId, fields }: { attachmentId: string; tableId: string; fields: readonly TableField[] }) {
  const job = useQuery(attachmentJobQuery(attachmentId));
  if (job.isPending) return <span className="text-muted-foreground text-xs">…</span>;
  if (job.isError) return <span className="text-destructive text-xs">Extraction unavailable</span>;
  if (!job.data) return <span className="text-muted-foreground text-xs">Not extracted</span>;
  return (
    <span className="text-xs" data-testid="attachment-extraction" data-job-status={job.data.status}>
      <ExtractionJobButton jobId={job.data.id} tableId={tableId} fields={fields} />
      {job.data.status === "failed" && job.data.error ? (
        <span className="text-destructive block" data-testid="attachment-extraction-error">
          {job.data.error.message}
        </span>
      ) : null}
    </span>
  );
}

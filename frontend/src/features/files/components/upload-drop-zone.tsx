// A drop area (and file picker) for an attachment field: files are checked against the server's
// limits before upload, then each shows its own progress bar, refusal or failure, and the
// extraction job it started.
import { useQuery } from "@tanstack/react-query";
import { FileUp, X } from "lucide-react";
import { useEffect, useId, useRef, useState, type DragEvent, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { extractionJobQuery } from "@/features/files/api/uploads";
import { useUploadQueue, type UploadTargetIds } from "@/features/files/hooks/use-upload-queue";
import { formatBytes, percent, type UploadItem } from "@/features/files/lib/upload-queue";
import { cn } from "@/lib/utils";

const STATUS_LABEL: Record<UploadItem["status"], string> = {
  refused: "Refused",
  queued: "Waiting",
  uploading: "Uploading",
  completing: "Checking",
  done: "Uploaded",
  failed: "Failed",
};

function JobStatus({ jobId }: { jobId: string }) {
  const job = useQuery(extractionJobQuery(jobId));
  if (!job.data) return <span className="text-muted-foreground">Extraction queued…</span>;
  const { status, progress, error } = job.data;
  if (status === "failed") {
    return (
      <span className="text-destructive" data-testid="extraction-failed">
        Extraction failed: {error?.message ?? "unknown reason"}
      </span>
    );
  }
  if (status === "done") return <span data-testid="extraction-done">Extraction done</span>;
  return (
    <span data-testid="extraction-running">
      Extraction {status === "queued" ? "queued" : `running (${progress}%)`}
    </span>
  );
}

export function UploadRow({
  item,
  onDismiss,
  renderJob,
}: {
  item: UploadItem;
  onDismiss: () => void;
  renderJob?: ((jobId: string) => ReactNode) | undefined;
}) {
  const value = percent(item);
  const finished = item.status === "done" || item.status === "refused" || item.status === "failed";
  return (
    <li className="space-y-1 rounded-md border p-2 text-sm" data-testid="upload-item" data-status={item.status}>
      <div className="flex items-center gap-2">
        <span className="min-w-0 flex-1 truncate font-medium">{item.name}</span>
        <span className="text-muted-foreground text-xs">{formatBytes(item.size)}</span>
        <span className="text-xs">{STATUS_LABEL[item.status]}</span>
        {finished ? (
          <Button variant="ghost" size="icon-sm" aria-label={`Dismiss ${item.name}`} onClick={onDismiss}>
            <X className="h-3 w-3" />
          </Button>
        ) : null}
      </div>
      {item.status !== "refused" ? (
        <div
          role="progressbar"
          aria-label={`Upload of ${item.name}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={value}
          className="bg-muted h-1.5 overflow-hidden rounded"
        >
          <div className={cn("h-full bg-primary transition-all", item.status === "failed" && "bg-destructive")} style={{ width: `${value}%` }} />
        </div>
      ) : null}
      {item.error ? <p className="text-destructive text-xs">{item.error}</p> : null}
      {item.jobId ? (
        <p className="text-xs">
          <JobStatus jobId={item.jobId} /> {renderJob?.(item.jobId)}
        </p>
      ) : null}
    </li>
  );
}

export function UploadDropZone({
  target,
  disabled = false,
  onUploaded,
  renderJob,
  incoming,
}: {
  target: UploadTargetIds;
  disabled?: boolean;
  /** Files dropped elsewhere for this field (the record panel as a whole); each new id is uploaded once. */
  incoming?: { id: number; files: File[] } | null | undefined;
  onUploaded?: (item: UploadItem) => void;
  /** Actions on an upload's extraction job (the app passes the extraction feature's results and mapping). */
  renderJob?: (jobId: string) => ReactNode;
}) {
  const inputId = useId();
  const [over, setOver] = useState(false);
  const { items, add, dismiss, limits, limitsError } = useUploadQueue(target, onUploaded);
  const ready = Boolean(limits) && !disabled;
  const taken = useRef<number | null>(null);
  useEffect(() => {
    if (!incoming || !ready || taken.current === incoming.id) return;
    taken.current = incoming.id;
    void add(incoming.files);
  }, [incoming, ready, add]);

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    // Taken here: the panel or page around must not upload the same files again.
    event.stopPropagation();
    setOver(false);
    if (ready) void add(Array.from(event.dataTransfer.files));
  }

  return (
    <div className="space-y-2">
      <div
        data-testid="upload-drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          if (ready) setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        className={cn(
          "flex flex-col items-center gap-1 rounded-md border border-dashed p-3 text-center text-sm",
          over && "border-primary bg-accent",
          !ready && "opacity-60",
        )}
      >
        <FileUp className="text-muted-foreground h-5 w-5" aria-hidden />
        <label htmlFor={inputId} className={cn("cursor-pointer underline-offset-2 hover:underline", !ready && "cursor-not-allowed")}>
          Drop files here or choose files
        </label>
        <input
          id={inputId}
          type="file"
          multiple
          className="sr-only"
          disabled={!ready}
          onChange={(event) => {
            const files = Array.from(event.target.files ?? []);
            event.target.value = "";
            void add(files);
          }}
        />
        {limits ? (
          <span className="text-muted-foreground text-xs">
            Up to {formatBytes(limits.max_bytes)}; drawings ({limits.kinds.filter((k) => k.extracted).map((k) => k.extension).join(", ")}) are extracted
          </span>
        ) : limitsError ? (
          <span className="text-destructive text-xs">The upload limits could not be loaded.</span>
        ) : null}
      </div>
      {items.length ? (
        <ul className="space-y-1" aria-label="Uploads">
          {items.map((item) => (
            <UploadRow key={item.id} item={item} onDismiss={() => dismiss(item.id)} renderJob={renderJob} />
          ))}
        </ul>
      ) : null}
    </div>
  );
}

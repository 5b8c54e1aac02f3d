// "Results" for an extraction job: its live status (polled until done or failed), the failure
// reason, the results viewer and the mapping into records, in one dialog.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { jobWithResultQuery } from "@/features/extraction/api/jobs";
import { MappingForm } from "@/features/extraction/components/mapping-form";
import { ResultsViewer } from "@/features/extraction/components/results-viewer";
import type { TableField } from "@/features/extraction/lib/mapping";
import { readResult } from "@/features/extraction/lib/result";

export function ExtractionJobButton({ jobId, tableId, fields }: { jobId: string; tableId: string; fields: readonly TableField[] }) {
  const [open, setOpen] = useState(false);
  const job = useQuery(jobWithResultQuery(jobId));
  const status = job.data?.status;
  const result = readResult(job.data?.result ?? null);
  return (
    <>
      <Button variant="link" size="sm" className="h-auto p-0" onClick={() => setOpen(true)} disabled={status !== "done"} data-testid="open-extraction">
        {status === "done" ? "Results and mapping" : status === "failed" ? "Extraction failed" : "Extracting…"}
      </Button>
      {open && job.data ? (
        <Dialog open onOpenChange={setOpen}>
          <DialogContent className="max-h-[90vh] max-w-4xl overflow-y-auto" data-testid="extraction-dialog">
            <DialogHeader>
              <DialogTitle>{job.data.filename ?? "Extraction"}</DialogTitle>
              <DialogDescription>
                {job.data.format?.toUpperCase()} · {job.data.status}
                {job.data.error ? `: ${job.data.error.message}` : ""}
              </DialogDescription>
            </DialogHeader>
            {result ? <ResultsViewer result={result} /> : null}
            {job.data.result_url && !result ? (
              <a className="text-sm underline" href={job.data.result_url}>
                The result is large: download it as JSON
              </a>
            ) : null}
            {status === "done" ? (
              <section className="space-y-2 border-t pt-3" aria-label="Map into records">
                <h3 className="text-sm font-semibold">Map into records</h3>
                <MappingForm jobId={jobId} tableId={tableId} fields={fields} onDone={() => undefined} />
              </section>
            ) : null}
          </DialogContent>
        </Dialog>
      ) : null}
    </>
  );
}

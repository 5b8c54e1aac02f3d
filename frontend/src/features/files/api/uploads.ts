// Upload and extraction-job calls of the files feature.
import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import type { FileLike, UploadLimits, UploadSteps, UploadTarget } from "@/features/files/lib/upload-queue";
import { putWithProgress } from "@/features/files/lib/upload-queue";

export type ExtractionJob = components["schemas"]["JobOut"];

export const uploadLimitsQuery = () =>
  queryOptions({
    queryKey: ["uploads", "limits"] as const,
    staleTime: 60 * 60_000,
    queryFn: async (): Promise<UploadLimits> => unwrap(api.GET("/uploads/limits")),
  });

/** The three steps of an upload into one record's attachment field. */
export function uploadSteps(target: { tableId: string; recordId: string; fieldId: string }, body: (file: FileLike) => unknown): UploadSteps {
  return {
    create: async (file) => {
      const created = await unwrap(
        api.POST("/uploads", {
          body: {
            table_id: target.tableId,
            record_id: target.recordId,
            field_id: target.fieldId,
            filename: file.name,
            content_type: file.type || "application/octet-stream",
            size: file.size,
          },
        }),
      );
      const upload: UploadTarget = { method: created.upload.method, url: created.upload.url, headers: created.upload.headers };
      return { attachmentId: created.attachment_id, target: upload };
    },
    put: (upload, file, onProgress) => putWithProgress(upload, body(file), onProgress),
    complete: async (attachmentId) => {
      const done = await unwrap(
        api.POST("/uploads/{attachment_id}/complete", { params: { path: { attachment_id: attachmentId } } }),
      );
      return { jobId: done.job_id ?? null };
    },
  };
}

const FINISHED = new Set(["done", "failed"]);

/** An extraction job, polled every 1.5 s until it is done or failed. */
export const extractionJobQuery = (jobId: string) =>
  queryOptions({
    queryKey: ["extraction-jobs", jobId] as const,
    queryFn: async (): Promise<ExtractionJob> =>
      unwrap(api.GET("/extraction-jobs/{job_id}", { params: { path: { job_id: jobId } } })),
    refetchInterval: (query) => (query.state.data && FINISHED.has(query.state.data.status) ? false : 1500),
  });

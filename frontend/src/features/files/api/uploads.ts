// Upload and extraction-job calls of the files feature.
import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { recordNameFor } from "@/features/files/lib/table-drop";
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

/**
 * Files dropped on a table page: each file first creates its own record (named after the file when
 * the primary field is given), then uploads into that record's attachment field.
 */
export function newRecordUploadSteps(
  target: { tableId: string; fieldId: string; primaryFieldId?: string | null | undefined },
  body: (file: FileLike) => unknown,
): UploadSteps {
  const steps = (recordId: string) => uploadSteps({ tableId: target.tableId, recordId, fieldId: target.fieldId }, body);
  const created = new Map<FileLike, string>();
  return {
    create: async (file) => {
      const fields = target.primaryFieldId ? { [target.primaryFieldId]: recordNameFor(file.name) } : {};
      const record = (await unwrap(
        api.POST("/tables/{table_id}/records", { params: { path: { table_id: target.tableId } }, body: { fields, typecast: true } }),
      )) as { id: string };
      created.set(file, record.id);
      return steps(record.id).create(file);
    },
    // The PUT and the completion depend on the upload only, not on the record.
    put: (upload, file, onProgress) => putWithProgress(upload, body(file), onProgress),
    complete: (attachmentId) => steps("").complete(attachmentId),
    // A record without its file is not what was asked for: it goes to the trash (restorable).
    abandon: async (file) => {
      const recordId = created.get(file);
      if (!recordId) return;
      created.delete(file);
      await unwrap(
        api.DELETE("/tables/{table_id}/records/{record_id}", { params: { path: { table_id: target.tableId, record_id: recordId } } }),
      );
    },
  };
}

/** A new attachment field, for a table page that has none when files are dropped on it. */
export async function createAttachmentField(tableId: string, name: string): Promise<{ id: string; name: string }> {
  const created = await unwrap(
    api.POST("/tables/{table_id}/fields", { params: { path: { table_id: tableId } }, body: { name, type: "attachment", options: {} } }),
  );
  return created as unknown as { id: string; name: string };
}

const FINISHED = new Set(["done", "failed"]);

/**
 * An extraction job until it is done or failed. Its job.updated events (useJobEvents) refresh it as
 * they arrive; the poll every 5 s only covers a socket that is down.
 */
export const extractionJobQuery = (jobId: string) =>
  queryOptions({
    queryKey: ["extraction-jobs", jobId] as const,
    queryFn: async (): Promise<ExtractionJob> =>
      unwrap(api.GET("/extraction-jobs/{job_id}", { params: { path: { job_id: jobId } } })),
    refetchInterval: (query) => (query.state.data && FINISHED.has(query.state.data.status) ? false : JOB_FALLBACK_POLL_MS),
  });

export const JOB_FALLBACK_POLL_MS = 5000;

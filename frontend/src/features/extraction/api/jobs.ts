// Extraction job calls: the job with its full result, the suggested mapping, running a mapping.
import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import type { MappingRequestBody, SuggestedMapping } from "@/features/extraction/lib/mapping";

export type Job = components["schemas"]["JobOut"];
export type MappingOut = components["schemas"]["MappingOut"];

const FINISHED = new Set(["done", "failed"]);

/**
 * The job with its result, until it is done or failed: job.updated events (useJobEvents) refresh it
 * as they arrive; the poll every 5 s only covers a socket that is down.
 */
export const jobWithResultQuery = (jobId: string) =>
  queryOptions({
    queryKey: ["extraction-jobs", jobId, "result"] as const,
    queryFn: async (): Promise<Job> =>
      unwrap(api.GET("/extraction-jobs/{job_id}", { params: { path: { job_id: jobId }, query: { include_result: true } } })),
    refetchInterval: (query) => (query.state.data && FINISHED.has(query.state.data.status) ? false : 5000),
  });

/**
 * The newest extraction job of an attachment (null when its file is not extracted), found with
 * GET /extraction-jobs?attachment_id=: attachment values in records carry no job id.
 */
export const attachmentJobQuery = (attachmentId: string) =>
  queryOptions({
    queryKey: ["extraction-jobs", "attachment", attachmentId] as const,
    queryFn: async (): Promise<Job | null> => {
      const page = await unwrap(api.GET("/extraction-jobs", { params: { query: { attachment_id: attachmentId, limit: 1 } } }));
      return page.jobs[0] ?? null;
    },
  });

export const suggestedMappingQuery = (jobId: string, tableId: string, source: string | null) =>
  queryOptions({
    queryKey: ["extraction-jobs", jobId, "mapping", tableId, source] as const,
    queryFn: async (): Promise<SuggestedMapping> =>
      (await unwrap(
        api.GET("/extraction-jobs/{job_id}/mapping", {
          params: { path: { job_id: jobId }, query: { table_id: tableId, ...(source ? { source } : {}) } },
        }),
      )) as SuggestedMapping,
  });

export async function runMapping(jobId: string, body: MappingRequestBody): Promise<MappingOut> {
  return unwrap(api.POST("/extraction-jobs/{job_id}/mapping", { params: { path: { job_id: jobId } }, body }));
}

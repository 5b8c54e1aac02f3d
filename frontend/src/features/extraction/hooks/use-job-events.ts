// Extraction status pushed through the WebSocket: the API emits a job.updated event on the table for
// each step of a job (queued, running with progress, done, failed), and each one refreshes the
// queries of that job and of its attachment at once instead of waiting for the next poll.
import { useQueryClient } from "@tanstack/react-query";

import { useTableEvents } from "@/hooks/use-realtime";
import type { RealtimeEvent } from "@/lib/ws";

/** The query keys a job.updated event makes stale (none for other events). */
export function jobEventKeys(event: RealtimeEvent): (readonly string[])[] {
  if (event.type !== "job.updated") return [];
  const keys: (readonly string[])[] = [];
  const { job_id: jobId, attachment_id: attachmentId } = event.payload;
  if (typeof jobId === "string") keys.push(["extraction-jobs", jobId]);
  if (typeof attachmentId === "string") keys.push(["extraction-jobs", "attachment", attachmentId]);
  return keys;
}

export function useJobEvents(tableId: string | undefined): void {
  const queryClient = useQueryClient();
  useTableEvents(tableId, {
    onEvent: (event) => {
      for (const queryKey of jobEventKeys(event)) void queryClient.invalidateQueries({ queryKey });
    },
    // Events may have been missed: every job on screen reloads (the table's other lists reload elsewhere).
    onRefetch: () => void queryClient.invalidateQueries({ queryKey: ["extraction-jobs"] }),
  });
}

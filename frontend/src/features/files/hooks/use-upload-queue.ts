// React state over the upload queue: drop files, see each one's progress, refusal or failure.
import { useQuery } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";

import { uploadLimitsQuery, uploadSteps } from "@/features/files/api/uploads";
import { enqueue, runAll, type FileLike, type UploadItem, type UploadSteps } from "@/features/files/lib/upload-queue";

export interface UploadTargetIds {
  tableId: string;
  recordId: string;
  fieldId: string;
}

/**
 * A list of uploads that may go to different places: each `add` brings its own steps (one record's
 * field, or a new record per file). Files are checked against the server's limits first.
 */
export function useUploadTray(onDone?: (item: UploadItem) => void) {
  const limits = useQuery(uploadLimitsQuery());
  const [items, setItems] = useState<UploadItem[]>([]);
  const onDoneRef = useRef(onDone);
  onDoneRef.current = onDone;

  const add = useCallback(
    async (files: File[], steps: UploadSteps) => {
      if (!limits.data || files.length === 0) return;
      const added = enqueue(files, limits.data);
      const byId = new Map<string, FileLike>(added.map((item, i) => [item.id, files[i] as File]));
      setItems((current) => [...current, ...added]);
      await runAll(added, byId, steps, (id, patch) => {
        setItems((current) =>
          current.map((item) => {
            if (item.id !== id) return item;
            const next = { ...item, ...patch };
            if (patch.status === "done") onDoneRef.current?.(next);
            return next;
          }),
        );
      });
    },
    [limits.data],
  );

  const dismiss = useCallback((id: string) => setItems((current) => current.filter((item) => item.id !== id)), []);

  return { items, add, dismiss, limits: limits.data, limitsError: limits.error };
}

export function useUploadQueue(target: UploadTargetIds | null, onDone?: (item: UploadItem) => void) {
  const tray = useUploadTray(onDone);
  const { add: addWith } = tray;
  const add = useCallback(
    async (files: File[]) => {
      if (!target) return;
      await addWith(files, uploadSteps(target, (file) => file));
    },
    [target, addWith],
  );
  return { ...tray, add };
}

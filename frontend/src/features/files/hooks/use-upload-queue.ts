// React state over the upload queue: drop files, see each one's progress, refusal or failure.
import { useQuery } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";

import { uploadLimitsQuery, uploadSteps } from "@/features/files/api/uploads";
import { enqueue, runAll, type FileLike, type UploadItem } from "@/features/files/lib/upload-queue";

export interface UploadTargetIds {
  tableId: string;
  recordId: string;
  fieldId: string;
}

export function useUploadQueue(target: UploadTargetIds | null, onDone?: (item: UploadItem) => void) {
  const limits = useQuery(uploadLimitsQuery());
  const [items, setItems] = useState<UploadItem[]>([]);
  const onDoneRef = useRef(onDone);
  onDoneRef.current = onDone;

  const add = useCallback(
    async (files: File[]) => {
      if (!target || !limits.data || files.length === 0) return;
      const added = enqueue(files, limits.data);
      const byId = new Map<string, FileLike>(added.map((item, i) => [item.id, files[i] as File]));
      setItems((current) => [...current, ...added]);
      await runAll(added, byId, uploadSteps(target, (file) => file), (id, patch) => {
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
    [target, limits.data],
  );

  const dismiss = useCallback((id: string) => setItems((current) => current.filter((item) => item.id !== id)), []);

  return { items, add, dismiss, limits: limits.data, limitsError: limits.error };
}

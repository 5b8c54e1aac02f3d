// Save part of a view's config (or its name): applied to the cached view at once, so the grid
// reloads with it, then sent; a refusal puts the previous view back and says why.
import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import { toast } from "@/components/ui/toaster";
import { storeView, updateView, viewsKey, type View } from "@/features/views/api/views";
import { errorMessage } from "@/lib/api/errors";

// Saves of one view go out one after another: quick successive edits (add a sort, pick its field,
// then its direction) sent at once could reach the server out of order, and the last to commit
// would win with a stale value.
const pending = new Map<string, Promise<unknown>>();

function inOrder<T>(viewId: string, send: () => Promise<T>): Promise<T> {
  const previous = pending.get(viewId) ?? Promise.resolve();
  const next = previous.then(send, send);
  const settled = next.catch(() => undefined);
  pending.set(viewId, settled);
  void settled.then(() => {
    if (pending.get(viewId) === settled) pending.delete(viewId);
  });
  return next;
}

export function useSaveView(tableId: string) {
  const queryClient = useQueryClient();
  return useCallback(
    async (view: View, patch: { name?: string; config?: Record<string, unknown> }): Promise<View | null> => {
      const before = queryClient.getQueryData<View[]>(viewsKey(tableId));
      storeView(queryClient, tableId, { ...view, name: patch.name ?? view.name, config: { ...view.config, ...(patch.config ?? {}) } });
      try {
        const saved = await inOrder(view.id, () => updateView(view.id, patch));
        storeView(queryClient, tableId, saved);
        return saved;
      } catch (error) {
        if (before) queryClient.setQueryData(viewsKey(tableId), before);
        toast.error(`The view was not saved: ${errorMessage(error)}`);
        return null;
      }
    },
    [queryClient, tableId],
  );
}

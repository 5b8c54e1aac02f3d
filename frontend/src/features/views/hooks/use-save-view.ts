// Save part of a view's config (or its name): applied to the cached view at once, so the grid
// reloads with it, then sent; a refusal puts the previous view back and says why.
import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import { toast } from "@/components/ui/toaster";
import { storeView, updateView, viewsKey, type View } from "@/features/views/api/views";
import { errorMessage } from "@/lib/api/errors";

export function useSaveView(tableId: string) {
  const queryClient = useQueryClient();
  return useCallback(
    async (view: View, patch: { name?: string; config?: Record<string, unknown> }): Promise<View | null> => {
      const before = queryClient.getQueryData<View[]>(viewsKey(tableId));
      storeView(queryClient, tableId, { ...view, name: patch.name ?? view.name, config: { ...view.config, ...(patch.config ?? {}) } });
      try {
        const saved = await updateView(view.id, patch);
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

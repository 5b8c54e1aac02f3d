import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";

import { Toaster } from "@/components/ui/toaster";
import { TooltipProvider } from "@/components/ui/tooltip";
import { RealtimeProvider } from "@/hooks/use-realtime";
import { createQueryClient } from "@/lib/query-client";
import type { RealtimeClient } from "@/lib/ws";

export function AppProvider({
  children,
  queryClient: givenQueryClient,
  realtime,
}: {
  children: ReactNode;
  queryClient?: QueryClient;
  realtime?: RealtimeClient;
}) {
  const [queryClient] = useState(() => givenQueryClient ?? createQueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <RealtimeProvider {...(realtime ? { client: realtime } : {})}>
        <TooltipProvider delayDuration={300}>
          {children}
          <Toaster />
        </TooltipProvider>
      </RealtimeProvider>
    </QueryClientProvider>
  );
}

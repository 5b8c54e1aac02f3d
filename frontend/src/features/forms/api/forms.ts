// Form views: the form's schema and submissions (signed out with the share token, or signed in),
// and saving the form's settings in its view.
import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import type { Schemas } from "@/types/api";

export type FormSchema = Schemas["FormSchemaOut"];
export type FormSubmitted = Schemas["FormSubmitted"];

export const formQuery = (viewId: string, share: string | null) =>
  queryOptions({
    queryKey: ["forms", viewId, share ?? ""] as const,
    queryFn: () =>
      unwrap(api.GET("/forms/{view_id}", { params: { path: { view_id: viewId }, query: share ? { share } : {} } as never })),
    retry: false,
  });

export async function submitForm(viewId: string, share: string | null, fields: Record<string, unknown>): Promise<FormSubmitted> {
  return unwrap(
    api.POST("/forms/{view_id}", {
      params: { path: { view_id: viewId }, query: share ? { share } : {} } as never,
      body: { fields, typecast: false },
    }),
  );
}

/** The public link of a shared form (the app's own route; works signed out). */
export function shareLink(viewId: string, token: string, origin = window.location.origin): string {
  return `${origin}/form/${encodeURIComponent(viewId)}?share=${encodeURIComponent(token)}`;
}

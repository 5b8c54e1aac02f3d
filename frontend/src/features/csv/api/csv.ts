// CSV import and export calls. The import route reads its body itself (text/csv or JSON), so the
// OpenAPI document types no body: these go through the authenticated fetch directly.
import { auth } from "@/lib/api/client";
import { networkError, toApiError } from "@/lib/api/errors";
import { apiBaseUrl } from "@/lib/config";

export interface ImportError {
  row: number;
  column: string | null;
  value: string | null;
  message: string;
}

export interface ImportReport {
  import_id: string;
  table_id: string;
  fields: { column: string; id: string; name: string; type: string; created: boolean }[];
  skipped_columns: { column: string; reason: string }[];
  total_rows: number;
  imported_rows: number;
  failed_rows: number;
  errors: ImportError[];
  errors_truncated: boolean;
}

export interface ImportProgress {
  id: string;
  status: "running" | "done" | "failed";
  phase: string | null;
  total_rows: number | null;
  processed_rows: number | null;
  imported_rows: number | null;
  failed_rows: number | null;
}

async function call<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await auth.fetch(new Request(`${apiBaseUrl}${path}`, init));
  } catch (cause) {
    throw networkError(cause);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text for the error
  }
  if (!response.ok) throw toApiError(response.status, body);
  return body as T;
}

export function importIntoTable(
  tableId: string,
  body: { csv: string; import_id: string; columns: Record<string, string | null>; create_missing_fields: boolean; on_error: "skip" | "abort" },
): Promise<ImportReport> {
  return call(`/tables/${encodeURIComponent(tableId)}/import`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...body, typecast: true }),
  });
}

export function importProgress(tableId: string, importId: string): Promise<ImportProgress> {
  return call(`/tables/${encodeURIComponent(tableId)}/imports/${encodeURIComponent(importId)}`, { method: "GET" });
}

/** The view as CSV (filters, sorts, hidden fields applied); `raw` writes values as stored, unguarded. */
export async function exportView(viewId: string, raw: boolean): Promise<Blob> {
  let response: Response;
  try {
    response = await auth.fetch(new Request(`${apiBaseUrl}/views/${encodeURIComponent(viewId)}/export.csv${raw ? "?raw=true" : ""}`));
  } catch (cause) {
    throw networkError(cause);
  }
  if (!response.ok) {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // plain text error
    }
    throw toApiError(response.status, body);
  }
  return response.blob();
}

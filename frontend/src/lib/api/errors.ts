// Every failure of an API call becomes one ApiError with a readable message, whatever the shape
// the server (or the network) produced: PyBase's envelope {"error": {code, message, details}},
// FastAPI's {"detail": ...}, Airtable's {"error": {type, message}}, plain text, or no response.

export type ApiErrorDetails = Record<string, unknown> | unknown[] | null;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ApiErrorDetails;

  constructor(status: number, code: string, message: string, details: ApiErrorDetails = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Messages per field, when the server said which fields were wrong (validation errors). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    const items = Array.isArray(this.details)
      ? this.details
      : this.details && Array.isArray((this.details as { errors?: unknown }).errors)
        ? ((this.details as { errors: unknown[] }).errors)
        : [];
    for (const item of items) {
      if (!isRecord(item)) continue;
      const loc = item.loc ?? item.field ?? item.path;
      const message = typeof item.msg === "string" ? item.msg : typeof item.message === "string" ? item.message : null;
      if (!message) continue;
      const key = Array.isArray(loc) ? String(loc.filter((part) => part !== "body").join(".")) : String(loc ?? "");
      if (key && !(key in out)) out[key] = message;
    }
    return out;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const STATUS_MESSAGES: Record<number, string> = {
  400: "The request was not valid.",
  401: "Your session has expired. Sign in again.",
  403: "You do not have permission to do that.",
  404: "Not found. It may have been deleted, or you no longer have access.",
  409: "That conflicts with the current state. Reload and try again.",
  412: "Someone else changed this in the meantime.",
  413: "That is too large.",
  422: "Some values are not valid.",
  429: "Too many requests. Wait a moment and try again.",
};

function statusMessage(status: number): string {
  if (STATUS_MESSAGES[status]) return STATUS_MESSAGES[status];
  if (status >= 500) return "The server had a problem. Try again in a moment.";
  return `Request failed (HTTP ${status}).`;
}

function codeFromStatus(status: number): string {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 412) return "precondition_failed";
  if (status === 422) return "invalid";
  if (status >= 500) return "server_error";
  return "http_error";
}

function validationMessage(items: unknown[]): string | null {
  const first = items.find(isRecord);
  if (!first) return null;
  const loc = Array.isArray(first.loc) ? first.loc.filter((part) => part !== "body").join(".") : "";
  const msg = typeof first.msg === "string" ? first.msg : typeof first.message === "string" ? first.message : null;
  if (!msg) return null;
  return loc ? `${loc}: ${msg}` : msg;
}

/** Normalise a parsed error body (or text) and its status into an ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  if (isRecord(body)) {
    const error = body.error;
    if (isRecord(error)) {
      const code = typeof error.code === "string" ? error.code : typeof error.type === "string" ? error.type : codeFromStatus(status);
      const message = typeof error.message === "string" && error.message ? error.message : statusMessage(status);
      const details = isRecord(error.details) || Array.isArray(error.details) ? error.details : null;
      // "The request is not valid." alone does not say what to fix: name the first offending value.
      const first = Array.isArray(details) ? validationMessage(details) : null;
      return new ApiError(status, code, first ? `${message.replace(/\.$/, "")}: ${first}` : message, details);
    }
    if (typeof error === "string") {
      // Airtable's short form: {"error": "NOT_FOUND"}
      return new ApiError(status, error, statusMessage(status));
    }
    const detail = body.detail;
    if (typeof detail === "string") return new ApiError(status, codeFromStatus(status), detail);
    if (Array.isArray(detail)) {
      return new ApiError(status, codeFromStatus(status), validationMessage(detail) ?? statusMessage(status), detail);
    }
  }
  if (typeof body === "string" && body.trim() && body.length < 300 && !body.trimStart().startsWith("<")) {
    return new ApiError(status, codeFromStatus(status), body.trim());
  }
  return new ApiError(status, codeFromStatus(status), statusMessage(status));
}

/** A failure before any response arrived (offline, DNS, CORS, aborted). */
export function networkError(cause: unknown): ApiError {
  if (cause instanceof ApiError) return cause;
  if (cause instanceof DOMException && cause.name === "AbortError") {
    return new ApiError(0, "aborted", "The request was cancelled.");
  }
  return new ApiError(0, "network_error", "Cannot reach the server. Check your connection and try again.");
}

/**
 * A failure that may pass on a second try: no response at all (a reset connection) or the server
 * or a gateway in front of it failing. Safe to resend for writes that carry If-Match: if the first
 * one did commit, the resend is refused with 412 instead of applied twice.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return error instanceof TypeError;
  if (error.status === 0) return error.code === "network_error";
  return error.status >= 500;
}

/** A readable message for anything thrown (for toasts and inline errors). */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong.";
}

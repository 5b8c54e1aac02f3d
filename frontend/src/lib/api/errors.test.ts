import { describe, expect, it } from "vitest";

import { ApiError, errorMessage, isTransient, networkError, toApiError } from "@/lib/api/errors";

describe("toApiError", () => {
  it("reads PyBase's envelope", () => {
    const error = toApiError(404, { error: { code: "not_found", message: "Table not found", details: { id: "tbl1" } } });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(404);
    expect(error.code).toBe("not_found");
    expect(error.message).toBe("Table not found");
    expect(error.details).toEqual({ id: "tbl1" });
  });

  it("names the first invalid value of a validation error and maps field errors", () => {
    const error = toApiError(422, {
      error: {
        code: "validation_failed",
        message: "The request is not valid.",
        details: [
          { loc: ["body", "email"], message: "Value error, not a valid email address", type: "value_error" },
          { loc: ["body", "password"], message: "String should have at least 8 characters", type: "string_too_short" },
        ],
      },
    });
    expect(error.code).toBe("validation_failed");
    expect(error.message).toBe("The request is not valid: email: Value error, not a valid email address");
    expect(error.fieldErrors()).toEqual({
      email: "Value error, not a valid email address",
      password: "String should have at least 8 characters",
    });
  });

  it("reads FastAPI's plain detail and Airtable's error shapes", () => {
    expect(toApiError(400, { detail: "bad cursor" }).message).toBe("bad cursor");
    const airtable = toApiError(422, { error: { type: "INVALID_REQUEST_UNKNOWN", message: "Invalid request" } });
    expect(airtable.code).toBe("INVALID_REQUEST_UNKNOWN");
    expect(airtable.message).toBe("Invalid request");
    expect(toApiError(404, { error: "NOT_FOUND" }).code).toBe("NOT_FOUND");
  });

  it("never shows HTML or an empty message", () => {
    expect(toApiError(502, "<html><body>Bad gateway</body></html>").message).toBe("The server had a problem. Try again in a moment.");
    expect(toApiError(500, null).code).toBe("server_error");
    expect(toApiError(403, {}).message).toBe("You do not have permission to do that.");
    expect(toApiError(418, undefined).message).toBe("Request failed (HTTP 418).");
    expect(toApiError(503, "Service Unavailable").message).toBe("Service Unavailable");
  });

  it("turns network failures into a readable error", () => {
    const error = networkError(new TypeError("Failed to fetch"));
    expect(error.status).toBe(0);
    expect(error.code).toBe("network_error");
    expect(errorMessage(error)).toMatch(/Cannot reach the server/);
    expect(networkError(new DOMException("aborted", "AbortError")).code).toBe("aborted");
    expect(errorMessage("weird")).toBe("Something went wrong.");
  });
});

describe("isTransient", () => {
  it("retries a lost connection and server or gateway failures, never a refusal or a cancel", () => {
    expect(isTransient(networkError(new TypeError("Failed to fetch")))).toBe(true);
    expect(isTransient(toApiError(502, "Bad Gateway"))).toBe(true);
    expect(isTransient(toApiError(500, null))).toBe(true);
    expect(isTransient(toApiError(422, { error: { code: "invalid", message: "No." } }))).toBe(false);
    expect(isTransient(toApiError(412, null))).toBe(false);
    expect(isTransient(networkError(new DOMException("aborted", "AbortError")))).toBe(false);
    expect(isTransient(new Error("The record is not loaded."))).toBe(false);
  });
});

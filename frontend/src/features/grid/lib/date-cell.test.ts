import { describe, expect, it } from "vitest";

import { editText, splitText, toApiValue, todayIn, withDay, withTimeOfDay } from "@/features/grid/lib/date-cell";

describe("date cell editing", () => {
  it("shows a date as is and a date-time in the field's time zone", () => {
    expect(editText("2026-03-01", false, "UTC")).toBe("2026-03-01");
    expect(editText("2026-03-01T13:05:00.000Z", true, "Europe/Paris")).toBe("2026-03-01 14:05");
    expect(editText("2026-07-01T13:05:00.000Z", true, "America/New_York")).toBe("2026-07-01 09:05");
    expect(editText(null, true, "UTC")).toBe("");
  });

  it("picks a day keeping the time, and sets a time keeping the day", () => {
    expect(withDay("2026-03-01", "2026-03-09", false)).toBe("2026-03-09");
    expect(withDay("2026-03-01 14:05", "2026-03-09", true)).toBe("2026-03-09 14:05");
    expect(withDay("", "2026-03-09", true)).toBe("2026-03-09 00:00");
    expect(withTimeOfDay("2026-03-09 14:05", "08:30", "2026-01-01")).toBe("2026-03-09 08:30");
    expect(withTimeOfDay("", "08:30", "2026-01-01")).toBe("2026-01-01 08:30");
    expect(splitText("2026-03-09 8:30")).toEqual({ day: "2026-03-09", time: "08:30" });
  });

  it("sends days and zone-less times for the API to read in the field's zone, other spellings as typed", () => {
    expect(toApiValue("2026-03-09", false)).toBe("2026-03-09");
    expect(toApiValue("2026-03-09 14:05", true)).toBe("2026-03-09T14:05");
    expect(toApiValue("2026-03-09", true)).toBe("2026-03-09T00:00");
    expect(toApiValue("31/05/2026", false)).toBe("31/05/2026");
    expect(toApiValue("  ", true)).toBeNull();
  });

  it("knows today in a time zone", () => {
    const late = new Date("2026-03-01T23:30:00Z");
    expect(todayIn("UTC", late)).toBe("2026-03-01");
    expect(todayIn("Asia/Tokyo", late)).toBe("2026-03-02");
  });
});

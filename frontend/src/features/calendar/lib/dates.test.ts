import { describe, expect, it } from "vitest";

import {
  addDays,
  addMonths,
  byDay,
  dayOf,
  monthGrid,
  reschedule,
  startOfWeek,
  timeOf,
  todayIn,
  weekDays,
  zonedInstant,
  zoneOffset,
} from "@/features/calendar/lib/dates";

describe("month and week grids", () => {
  it("covers February 2026 (starts on a Sunday) in whole Monday weeks", () => {
    const weeks = monthGrid("2026-02-14");
    expect(weeks).toHaveLength(5);
    expect(weeks[0]![0]).toBe("2026-01-26");
    expect(weeks[0]![6]).toBe("2026-02-01");
    expect(weeks.at(-1)![6]).toBe("2026-03-01");
    expect(weeks.every((w) => w.length === 7)).toBe(true);
  });

  it("needs six rows for a long month starting late, and fewer with Sunday weeks", () => {
    expect(monthGrid("2026-08-01")).toHaveLength(6); // 1 Aug 2026 is a Saturday
    const sunday = monthGrid("2026-02-01", 0);
    expect(sunday).toHaveLength(4);
    expect(sunday[0]![0]).toBe("2026-02-01");
  });

  it("handles leap years and year ends", () => {
    expect(monthGrid("2024-02-10").flat()).toContain("2024-02-29");
    expect(addDays("2024-12-31", 1)).toBe("2025-01-01");
    expect(addDays("2024-03-01", -1)).toBe("2024-02-29");
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-01");
    expect(addMonths("2024-01-15", -1)).toBe("2023-12-01");
  });

  it("gives the week of a day", () => {
    expect(startOfWeek("2026-12-02")).toBe("2026-11-30");
    expect(weekDays("2026-12-02", 0)).toEqual([
      "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05",
    ]);
  });
});

describe("time zones", () => {
  it("knows offsets, including daylight saving time", () => {
    expect(zoneOffset(new Date("2026-01-15T12:00:00Z"), "America/New_York")).toBe(-300);
    expect(zoneOffset(new Date("2026-07-15T12:00:00Z"), "America/New_York")).toBe(-240);
    expect(zoneOffset(new Date("2026-07-15T12:00:00Z"), "Asia/Kolkata")).toBe(330);
    expect(zoneOffset(new Date("2026-07-15T12:00:00Z"), "UTC")).toBe(0);
  });

  it("places an instant on the day it is in the field's zone", () => {
    const late = "2026-03-10T03:30:00.000Z";
    expect(dayOf(late, "datetime", "UTC")).toBe("2026-03-10");
    expect(dayOf(late, "datetime", "America/Los_Angeles")).toBe("2026-03-09");
    expect(dayOf(late, "datetime", "Asia/Tokyo")).toBe("2026-03-10");
    expect(timeOf(late, "datetime", "America/Los_Angeles")).toBe("20:30");
    expect(dayOf("2026-03-10", "date", "Pacific/Kiritimati")).toBe("2026-03-10");
    expect(dayOf(null, "date", "UTC")).toBeNull();
    expect(dayOf("not a date", "datetime", "UTC")).toBeNull();
  });

  it("finds the instant of a wall-clock time, across a DST change", () => {
    expect(zonedInstant("2026-03-07", { hour: 9, minute: 0 }, "America/New_York").toISOString()).toBe("2026-03-07T14:00:00.000Z");
    expect(zonedInstant("2026-03-09", { hour: 9, minute: 0 }, "America/New_York").toISOString()).toBe("2026-03-09T13:00:00.000Z");
    expect(zonedInstant("2026-10-26", { hour: 0, minute: 30 }, "Europe/Berlin").toISOString()).toBe("2026-10-25T23:30:00.000Z");
  });

  it("reschedules keeping the time of day in the zone", () => {
    // 09:00 in New York before the March change, moved past it: still 09:00 local.
    expect(reschedule("2026-03-06T14:00:00.000Z", "datetime", "2026-03-10", "America/New_York")).toBe("2026-03-10T13:00:00.000Z");
    expect(reschedule("2026-03-06T14:00:00.250Z", "datetime", "2026-03-04", "UTC")).toBe("2026-03-04T14:00:00.250Z");
    expect(reschedule("2026-03-06", "date", "2026-03-04", "Asia/Tokyo")).toBe("2026-03-04");
    // No previous time: 09:00 in the zone.
    expect(reschedule(null, "datetime", "2026-06-01", "Asia/Tokyo")).toBe("2026-06-01T00:00:00.000Z");
  });

  it("tells today in a zone", () => {
    const now = new Date("2026-12-02T23:30:00Z");
    expect(todayIn("UTC", now)).toBe("2026-12-02");
    expect(todayIn("Asia/Tokyo", now)).toBe("2026-12-03");
  });
});

describe("grouping by day", () => {
  it("keeps order within a day and skips undated items", () => {
    const items = [{ d: "2026-01-02", n: 1 }, { d: null, n: 2 }, { d: "2026-01-02", n: 3 }, { d: "2026-01-01", n: 4 }];
    const days = byDay(items, (i) => i.d);
    expect(days.get("2026-01-02")!.map((i) => i.n)).toEqual([1, 3]);
    expect(days.get("2026-01-01")!.map((i) => i.n)).toEqual([4]);
    expect(days.size).toBe(2);
  });
});

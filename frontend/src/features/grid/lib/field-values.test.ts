import { describe, expect, it } from "vitest";

import {
  chipColor,
  formatDuration,
  formatValue,
  isEditable,
  parseDuration,
  parseInput,
  parseNumber,
  ParseError,
} from "@/features/grid/lib/field-values";
import type { FieldDef } from "@/types/api";

function field(type: string, options: Record<string, unknown> = {}, read_only = false): FieldDef {
  return { id: "fld1", table_id: "tbl1", name: "F", type, options, description: null, position: 0, read_only };
}

describe("numbers", () => {
  it("formats with the field's precision, currency symbol and percent", () => {
    expect(formatValue(field("number", { precision: 2 }), 1234.5)).toBe("1,234.50");
    expect(formatValue(field("number"), 0.125)).toBe("0.125");
    expect(formatValue(field("currency", { symbol: "€", precision: 2 }), -12.5)).toBe("-€12.50");
    expect(formatValue(field("percent", { precision: 1 }), 0.125)).toBe("12.5%");
    expect(formatValue(field("number"), null)).toBe("");
  });

  it("parses what people type", () => {
    expect(parseNumber("1,234.50")).toBe(1234.5);
    expect(parseNumber(" $12 ")).toBe(12);
    expect(parseNumber("(3)")).toBe(-3);
    expect(parseNumber("")).toBeNull();
    expect(() => parseNumber("abc")).toThrow(ParseError);
    expect(parseInput(field("percent"), "50%")).toBe(0.5);
    expect(parseInput(field("percent"), "12.5")).toBe(0.125);
  });
});

describe("durations", () => {
  it("formats seconds per the field's format", () => {
    expect(formatDuration(5400)).toBe("1:30");
    expect(formatDuration(5415, "h:mm:ss")).toBe("1:30:15");
    expect(formatDuration(5415.25, "h:mm:ss.s")).toBe("1:30:15.3");
  });

  it("parses h:mm, units and bare minutes", () => {
    expect(parseDuration("1:30")).toBe(5400);
    expect(parseDuration("1:30:15")).toBe(5415);
    expect(parseDuration("2h 30m")).toBe(9000);
    expect(parseDuration("90s")).toBe(90);
    expect(parseDuration("45")).toBe(2700);
    expect(parseDuration("")).toBeNull();
    expect(() => parseDuration("soon")).toThrow(ParseError);
  });
});

describe("dates", () => {
  it("shows date-times in the field's time zone and dates in its format", () => {
    expect(formatValue(field("datetime", { timezone: "Europe/Paris" }), "2026-03-01T13:05:00.000Z")).toBe(
      "2026-03-01 14:05",
    );
    expect(formatValue(field("datetime"), "2026-03-01T13:05:00.000Z")).toBe("2026-03-01 13:05");
    expect(formatValue(field("date", { format: "european" }), "2026-03-01")).toBe("01/03/2026");
    expect(formatValue(field("date", { format: "us" }), "2026-03-01")).toBe("03/01/2026");
    // Parsing is the API's (typecast): many spellings, in the field's zone.
    expect(parseInput(field("date"), " 3/1/2026 ")).toBe("3/1/2026");
    expect(parseInput(field("date"), "")).toBeNull();
  });
});

describe("other types", () => {
  it("checkbox, rating, selects, users and links", () => {
    expect(parseInput(field("checkbox"), "yes")).toBe(true);
    expect(parseInput(field("checkbox"), "")).toBe(false);
    expect(() => parseInput(field("checkbox"), "maybe")).toThrow(ParseError);
    expect(formatValue(field("rating", { max: 5 }), 3)).toBe("★★★☆☆");
    expect(parseInput(field("rating", { max: 5 }), "★★☆☆☆")).toBe(2);
    expect(parseInput(field("rating", { max: 5 }), "4")).toBe(4);
    expect(() => parseInput(field("rating", { max: 5 }), "9")).toThrow(ParseError);
    expect(parseInput(field("multiple_select"), "a, b;c")).toEqual(["a", "b", "c"]);
    expect(formatValue(field("multiple_select"), ["a", "b"])).toBe("a, b");
    expect(parseInput(field("user"), "usr1, usr2")).toBe("usr1");
    expect(parseInput(field("user", { multiple: true }), "usr1, usr2")).toEqual(["usr1", "usr2"]);
    expect(formatValue(field("link"), [{ id: "rec1", name: "Bracket" }, { id: "rec2", name: "Plate" }])).toBe(
      "Bracket, Plate",
    );
    expect(parseInput(field("link"), "recA1, recB2")).toEqual(["recA1", "recB2"]);
    // Names go as typed: the API's typecast links the records with that primary text.
    expect(parseInput(field("link"), "Bracket, Plate")).toEqual(["Bracket", "Plate"]);
    expect(chipColor("dark_green")).toBe(chipColor("green"));
  });

  it("engineering values show their display text and send text for the API to parse", () => {
    const dim = { value: 10.5, unit: "mm", tolerance: { type: "symmetric", plus: 0.1 }, display: "10.5 ±0.1 mm" };
    expect(formatValue(field("dimension"), dim)).toBe("10.5 ±0.1 mm");
    expect(parseInput(field("dimension"), "10.5 ±0.1 mm")).toBe("10.5 ±0.1 mm");
    expect(formatValue(field("thread"), { designation: "M8x1.25" })).toBe("M8x1.25");
    expect(formatValue(field("material"), { name: "6061-T6" })).toBe("6061-T6");
    expect(formatValue(field("surface_finish"), { parameter: "Ra", value: 1.6, unit: "um" })).toBe("Ra 1.6 µm");
  });

  it("engineering text that does not read is refused before it is sent (editors and paste)", () => {
    expect(() => parseInput(field("dimension"), "10.6..10.4 mm")).toThrow("The lower limit is above the upper limit.");
    expect(() => parseInput(field("thread"), "M8 by 1.25")).toThrow(ParseError);
    expect(() => parseInput(field("surface_finish"), "Ra -1")).toThrow("A roughness value is positive.");
    expect(parseInput(field("dimension", { unit: "in" }), " 2 +0.005/-0.002 ")).toBe("2 +0.005/-0.002");
    expect(parseInput(field("thread"), "")).toBeNull();
    expect(parseInput(field("material"), "Brass")).toBe("Brass");
  });

  it("computed fields are read-only", () => {
    for (const type of ["formula", "lookup", "rollup", "count", "autonumber", "created_time", "last_modified_by"]) {
      expect(isEditable(field(type))).toBe(false);
    }
    expect(isEditable(field("single_line_text", {}, true))).toBe(false);
    expect(() => parseInput(field("formula"), "1")).toThrow(ParseError);
    expect(formatValue(field("formula"), { error: "#DIV/0" })).toBe("#ERROR #DIV/0");
    expect(formatValue(field("created_time", { timezone: "UTC" }), "2026-01-02T03:04:00.000Z")).toBe("2026-01-02 03:04");
  });
});

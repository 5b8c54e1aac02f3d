import { describe, expect, it } from "vitest";

import { engineeringText, readDimension, readMaterial, readSurfaceFinish, readThread } from "@/lib/engineering";

describe("engineering values as typed", () => {
  it("reads dimensions with symmetric, asymmetric and limit tolerances in the field's unit", () => {
    expect(readDimension("10.5 ±0.1 mm")).toEqual({ ok: true, text: "10.5 ±0.1 mm" });
    expect(readDimension("10.50 +/- 0.10")).toEqual({ ok: true, text: "10.5 ±0.1 mm" });
    expect(readDimension("2 in +0.005/-0.002")).toEqual({ ok: true, text: "2 +0.005/-0.002 in" });
    expect(readDimension("10.4..10.6", "cm")).toEqual({ ok: true, text: "10.4..10.6 cm" });
    expect(readDimension("12", "in")).toEqual({ ok: true, text: "12 in" });
  });

  it("says what is wrong with a dimension that does not read", () => {
    expect(readDimension("10.5 mm ±0.1 in")).toEqual({ ok: false, error: "A dimension and its tolerance must use the same unit." });
    expect(readDimension("10.6..10.4 mm")).toEqual({ ok: false, error: "The lower limit is above the upper limit." });
    const typo = readDimension("10.5 ±0.1 mmm");
    expect(typo.ok).toBe(false);
    expect(typo.ok ? "" : typo.error).toMatch(/^Not a dimension: type e.g. 10.5 ±0.1 mm/);
  });

  it("reads threads, surface finishes and materials", () => {
    expect(readThread(" M8x1.25-6g ")).toEqual({ ok: true, text: "M8x1.25-6g" });
    expect(readThread("1/4-20 UNC-2A")).toEqual({ ok: true, text: "1/4-20 UNC-2A" });
    expect(readThread("G1/2").ok).toBe(true);
    expect(readThread("#7-32 UNF")).toEqual({ ok: false, error: "#7 is not a numbered screw size." });
    expect(readThread("M8 by 1").ok).toBe(false);
    expect(readSurfaceFinish("ra 1.6 um")).toEqual({ ok: true, text: "Ra 1.6 µm" });
    expect(readSurfaceFinish("63 µin")).toEqual({ ok: true, text: "Ra 63 µin" });
    expect(readSurfaceFinish("n7")).toEqual({ ok: true, text: "Ra 1.6 µm (N7)" });
    expect(readSurfaceFinish("Ra 0")).toEqual({ ok: false, error: "A roughness value is positive." });
    expect(readSurfaceFinish("smooth").ok).toBe(false);
    expect(readMaterial("  AISI   304 ")).toEqual({ ok: true, text: "AISI 304" });
    expect(readMaterial("x".repeat(201)).ok).toBe(false);
  });

  it("shows stored values as text that reads back to them", () => {
    expect(engineeringText({ value: 10.5, unit: "mm", tolerance: null, display: "10.5 mm" })).toBe("10.5 mm");
    expect(engineeringText({ system: "metric", designation: "M8x1.25" })).toBe("M8x1.25");
    expect(engineeringText({ parameter: "Ra", value: 63, unit: "uin", um: 1.6 })).toBe("Ra 63 µin");
    expect(engineeringText({ name: "Aluminium 6061-T6", family: "aluminium" })).toBe("Aluminium 6061-T6");
    expect(engineeringText(null)).toBe("");
  });
});

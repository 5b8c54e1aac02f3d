import { describe, expect, it } from "vitest";

import { formatTolerance, readResult } from "@/features/extraction/lib/result";

describe("extraction result", () => {
  it("formats tolerances as drawn", () => {
    expect(formatTolerance({ type: "symmetric", plus: 0.1, minus: -0.1 })).toBe("±0.1");
    expect(formatTolerance({ type: "deviation", plus: 0.2, minus: -0.1 })).toBe("+0.2/-0.1");
    expect(formatTolerance({ type: "deviation", plus: 0.3, minus: 0.1 })).toBe("+0.3/+0.1");
    expect(formatTolerance({ type: "limits", upper: 10.1, lower: 9.9 })).toBe("10.1–9.9");
    expect(formatTolerance({ type: "fit", fit: "H7" })).toBe("H7");
    expect(formatTolerance(null)).toBe("");
  });

  it("reads the sections of a DXF result, keeping only inserts with attributes", () => {
    const view = readResult({
      format: "dxf",
      units: "mm",
      layers: [{ name: "0" }],
      blocks: [{ name: "TITLE", entity_count: 4 }],
      inserts: [{ block: "TITLE", attributes: { DWG_NO: "A-1" } }, { block: "BOLT", attributes: {} }],
      title_block: { source: "attributes", fields: { drawing_number: "A-1" } },
      dimensions: [{ kind: "linear", value: 10, tolerance: { type: "symmetric", plus: 0.1 } }],
      tables: [{ kind: "bom", header: ["Pos", "Qty"], rows: [{ Pos: "1", Qty: "2" }] }],
    });
    expect(view?.inserts).toEqual([{ block: "TITLE", layer: null, attributes: { DWG_NO: "A-1" } }]);
    expect(view?.titleBlock).toEqual({ drawing_number: "A-1" });
    expect(view?.texts).toEqual([]);
    expect(view?.tables[0]?.kind).toBe("bom");
    expect(readResult(null)).toBeNull();
  });
});

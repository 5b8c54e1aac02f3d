import { describe, expect, it } from "vitest";

import { moveItem, positionWrites } from "@/features/workspaces/lib/order";

describe("table order", () => {
  it("moves an item", () => {
    expect(moveItem(["a", "b", "c", "d"], 0, 2)).toEqual(["b", "c", "a", "d"]);
    expect(moveItem(["a", "b", "c", "d"], 3, 1)).toEqual(["a", "d", "b", "c"]);
    expect(moveItem(["a", "b"], 0, 5)).toEqual(["a", "b"]);
  });

  it("writes only the positions that change", () => {
    const tables = [
      { id: "t1", position: 0 },
      { id: "t2", position: 1 },
      { id: "t3", position: 2 },
      { id: "t4", position: 3 },
    ];
    expect(positionWrites(moveItem(tables, 2, 1))).toEqual([
      ["t3", 1],
      ["t2", 2],
    ]);
    // Gaps and duplicates left by earlier writes are normalised on the next move.
    const messy = [
      { id: "t1", position: 0 },
      { id: "t2", position: 0 },
      { id: "t3", position: 7 },
    ];
    expect(positionWrites(messy)).toEqual([
      ["t2", 1],
      ["t3", 2],
    ]);
  });
});

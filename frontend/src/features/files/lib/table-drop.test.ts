import { describe, expect, it } from "vitest";

import { carriesFiles, newAttachmentFieldName, planTableDrop, recordNameFor } from "@/features/files/lib/table-drop";

const field = (id: string, type: string, position: number, name = id) => ({ id, name, type, position });

describe("planTableDrop", () => {
  it("uses the only attachment field", () => {
    expect(planTableDrop([field("name", "text", 0), field("files", "attachment", 1)])).toEqual({
      kind: "field",
      field: field("files", "attachment", 1),
    });
  });

  it("asks which field when there are several, in the table's order", () => {
    const plan = planTableDrop([field("b", "attachment", 3), field("name", "text", 0), field("a", "attachment", 1)]);
    expect(plan.kind).toBe("choose");
    expect(plan.kind === "choose" && plan.fields.map((f) => f.id)).toEqual(["a", "b"]);
  });

  it("offers to create one when there is none", () => {
    expect(planTableDrop([field("name", "text", 0)])).toEqual({ kind: "create" });
  });
});

describe("helpers", () => {
  it("names a record after its file", () => {
    expect(recordNameFor("bracket-01.dxf")).toBe("bracket-01");
    expect(recordNameFor("a.b.pdf")).toBe("a.b");
    expect(recordNameFor(".hidden")).toBe(".hidden");
  });

  it("finds a free field name", () => {
    expect(newAttachmentFieldName([field("n", "text", 0, "Name")])).toBe("Drawings");
    expect(newAttachmentFieldName([field("d", "text", 0, "drawings"), field("e", "text", 1, "Drawings 2")])).toBe("Drawings 3");
  });

  it("tells a drag of files from other drags", () => {
    expect(carriesFiles(["Files"])).toBe(true);
    expect(carriesFiles(["text/plain"])).toBe(false);
    expect(carriesFiles(undefined)).toBe(false);
  });
});

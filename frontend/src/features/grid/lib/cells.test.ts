import { GridCellKind } from "@glideapps/glide-data-grid";
import { describe, expect, it } from "vitest";

import { buildCell } from "@/features/grid/lib/cells";
import { chipColor } from "@/features/grid/lib/field-values";
import type { FieldDef, RecordRow } from "@/types/api";

const f = (type: string, options: Record<string, unknown> = {}): FieldDef => ({
  id: "fld",
  table_id: "tbl",
  name: "F",
  type,
  options,
  description: null,
  position: 0,
  read_only: false,
});
const rec = (value: unknown): RecordRow => ({ id: "rec1", version: 1, created_at: "", updated_at: "", fields: { fld: value } });

describe("buildCell", () => {
  it("draws select values as chips in their option colours", () => {
    const field = f("multiple_select", { choices: [{ id: "s1", name: "Hot", color: "red" }] });
    const cell = buildCell(field, rec(["Hot", "Other"]), { canEdit: true });
    expect(cell.kind).toBe(GridCellKind.Custom);
    if (cell.kind !== GridCellKind.Custom) return;
    expect((cell.data as { chips: unknown }).chips).toEqual([
      { label: "Hot", color: chipColor("red") },
      { label: "Other", color: chipColor(undefined) },
    ]);
    expect(cell.copyData).toBe("Hot, Other");
  });

  it("uses boolean cells for checkboxes and read-only text for computed fields", () => {
    const box = buildCell(f("checkbox"), rec(true), { canEdit: true });
    expect(box).toMatchObject({ kind: GridCellKind.Boolean, data: true, readonly: false });
    const formula = buildCell(f("formula"), rec(12), { canEdit: true });
    expect(formula).toMatchObject({ kind: GridCellKind.Text, data: "12", readonly: true, contentAlign: "right" });
  });

  it("makes every cell read-only for people who cannot edit", () => {
    expect(buildCell(f("single_line_text"), rec("x"), { canEdit: false })).toMatchObject({ readonly: true });
    expect(buildCell(f("checkbox"), rec(false), { canEdit: false })).toMatchObject({ readonly: true });
  });

  it("links email, URL and phone values and shows user names", () => {
    const opened: string[] = [];
    const cell = buildCell(f("url"), rec("example.com/a"), { canEdit: true, onOpenUri: (href) => opened.push(href) });
    expect(cell.kind).toBe(GridCellKind.Uri);
    if (cell.kind === GridCellKind.Uri) cell.onClickUri?.({ preventDefault: () => undefined } as never);
    expect(opened).toEqual(["https://example.com/a"]);
    const names = new Map([["usrA", "Ada"]]);
    const user = buildCell(f("user", { multiple: true }), rec(["usrA", "usrB"]), { canEdit: true, userName: (id) => names.get(id) });
    expect(user).toMatchObject({ kind: GridCellKind.Text, data: "Ada, usrB" });
  });

  it("shows attachment thumbnails", () => {
    const files = [
      { id: "att1", filename: "a.png", type: "image/png", url: "https://s3/a.png" },
      { id: "att2", filename: "b.dxf", thumbnails: [{ url: "https://s3/b.svg" }] },
    ];
    expect(buildCell(f("attachment"), rec(files), { canEdit: true })).toMatchObject({
      kind: GridCellKind.Image,
      data: ["https://s3/a.png", "https://s3/b.svg"],
    });
  });

  it("draws a button with the cell's label that opens its URL, disabled without one", () => {
    const field = f("button", { label: "Open drawing" });
    const cell = buildCell(field, rec({ label: "Open drawing", url: "https://example.com/p/7" }), { canEdit: true });
    expect(cell).toMatchObject({ kind: GridCellKind.Custom, readonly: true, allowOverlay: false, copyData: "https://example.com/p/7" });
    expect((cell as { data: unknown }).data).toEqual({ kind: "button-cell", label: "Open drawing", url: "https://example.com/p/7" });
    const empty = buildCell(field, rec(null), { canEdit: true });
    expect((empty as { data: unknown }).data).toEqual({ kind: "button-cell", label: "Open drawing", url: null });
    // A formula producing a script URL is never opened.
    const script = buildCell(field, rec({ label: "x", url: "javascript:alert(1)" }), { canEdit: true });
    expect((script as unknown as { data: { url: unknown } }).data.url).toBeNull();
  });
});

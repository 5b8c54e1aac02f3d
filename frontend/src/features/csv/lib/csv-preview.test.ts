import { describe, expect, it } from "vitest";

import { detectDelimiter, inferType, mappingOptions, newImportId, parseCsv, preview, suggestMapping } from "@/features/csv/lib/csv-preview";

describe("CSV preview parsing", () => {
  it("picks the delimiter the header has most of", () => {
    expect(detectDelimiter("a;b;c\n1,2;3;4")).toBe(";");
    expect(detectDelimiter("a\tb\n1\t2")).toBe("\t");
    expect(detectDelimiter("name\nx")).toBe(",");
  });

  it("parses quotes, doubled quotes, delimiters and line breaks in cells, CRLF and a BOM", () => {
    const text = '\ufeffName,Notes,Qty\r\n"Bracket, left","says ""hi""\nthen more",4\r\nPlate,,\r\n\r\n';
    expect(parseCsv(text)).toEqual([
      ["Name", "Notes", "Qty"],
      ["Bracket, left", 'says "hi"\nthen more', "4"],
      ["Plate", "", ""],
    ]);
    expect(parseCsv("a,b\n1,2\n3,4", ",", 2)).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(parseCsv("a,b\n1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("guesses a type per column", () => {
    expect(inferType(["1", "2.5", "-3", "1,200"])).toBe("number");
    expect(inferType(["yes", "No", ""])).toBe("checkbox");
    expect(inferType(["$1.20", "$3"])).toBe("currency");
    expect(inferType(["50%", "12.5 %"])).toBe("percent");
    expect(inferType(["2026-01-02", "3/4/2026"])).toBe("date");
    expect(inferType(["2026-01-02T10:00:00Z", "2026-01-02 11:30"])).toBe("datetime");
    expect(inferType(["a@b.io"])).toBe("email");
    expect(inferType(["https://x.io/a"])).toBe("url");
    expect(inferType(["red", "blue", "red", "blue"])).toBe("single_select");
    expect(inferType(["line\nbreak"])).toBe("long_text");
    expect(inferType(["Bracket", "Plate"])).toBe("text");
    expect(inferType(["", " "])).toBe("text");
  });

  it("previews the first rows with column types and reports ragged rows by spreadsheet row number", () => {
    const rows = ["Name;Qty", ...Array.from({ length: 30 }, (_, i) => `Part ${i};${i}`), "Odd;1;extra"];
    const out = preview(rows.join("\n"), 5);
    expect(out.delimiter).toBe(";");
    expect(out.headers).toEqual(["Name", "Qty"]);
    expect(out.rows).toHaveLength(5);
    expect(out.columns.map((c) => c.type)).toEqual(["text", "number"]);
    expect(out.ragged).toEqual([32]);
    const clean = preview("Name;Qty\nA;1\nB;2");
    expect(clean.columns.map((c) => [c.header, c.type, c.samples])).toEqual([
      ["Name", "text", ["A", "B"]],
      ["Qty", "number", ["1", "2"]],
    ]);
  });

  it("maps columns to fields by name and builds the import options", () => {
    const fields = [
      { id: "fldName", name: "Name" },
      { id: "fldQty", name: "qty" },
      { id: "fldTotal", name: "Total", read_only: true },
    ];
    const targets = suggestMapping(["NAME", "Qty", "Total", "Colour"], fields);
    expect(targets).toEqual(["fldName", "fldQty", "new", "new"]);
    expect(mappingOptions(["NAME", "Qty", "Total", "Colour"], ["fldName", "skip", "skip", "new"])).toEqual({
      columns: { NAME: "fldName", Qty: null, Total: null },
      create_missing_fields: true,
    });
    expect(mappingOptions(["A"], ["fldA"]).create_missing_fields).toBe(false);
  });

  it("makes import ids the API accepts", () => {
    expect(newImportId()).toMatch(/^imp[A-Za-z0-9]{14}$/);
  });
});

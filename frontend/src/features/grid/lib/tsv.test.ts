import { describe, expect, it } from "vitest";

import { chunks, parseTsv, toTsv } from "@/features/grid/lib/tsv";

describe("parseTsv", () => {
  it("splits tabs and line breaks, ignoring one trailing newline", () => {
    expect(parseTsv("a\tb\nc\td\n")).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(parseTsv("a\tb\r\nc\td")).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(parseTsv("x")).toEqual([["x"]]);
    expect(parseTsv("")).toEqual([]);
  });

  it("keeps empty cells", () => {
    expect(parseTsv("a\t\tc\n\t\t")).toEqual([
      ["a", "", "c"],
      ["", "", ""],
    ]);
  });

  it("reads quoted cells with tabs, newlines and doubled quotes", () => {
    const text = '"line 1\nline 2"\t"say ""hi"""\n"a\tb"\tplain\n';
    expect(parseTsv(text)).toEqual([
      ["line 1\nline 2", 'say "hi"'],
      ["a\tb", "plain"],
    ]);
  });

  it("takes a quote that does not wrap the whole cell literally", () => {
    expect(parseTsv('10" pipe\t"x" y\n')).toEqual([['10" pipe', '"x" y']]);
    expect(parseTsv('"unclosed\tb')).toEqual([['"unclosed', "b"]]);
  });

  it("round-trips through toTsv", () => {
    const rows = [
      ["a", "b\tc", 'q"uote'],
      ["multi\nline", "", "10.5 ±0.1 mm"],
    ];
    expect(parseTsv(toTsv(rows))).toEqual(rows);
  });
});

describe("chunks", () => {
  it("cuts batches of at most the size", () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks(Array.from({ length: 2500 }, (_, i) => i), 1000).map((c) => c.length)).toEqual([1000, 1000, 500]);
  });
});

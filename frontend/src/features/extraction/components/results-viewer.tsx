// An extraction job's result: title block, BOM and other tables, dimensions with tolerances,
// layers, blocks and their attributes, texts, and the extractor's warnings.
import type { ReactNode } from "react";

import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { formatTolerance, type ResultView } from "@/features/extraction/lib/result";

function Grid({ header, rows, label }: { header: string[]; rows: (string | number | null | undefined)[][]; label: string }) {
  return (
    <div className="max-h-80 overflow-auto">
      <table className="text-xs" aria-label={label}>
        <thead className="bg-background sticky top-0">
          <tr>
            {header.map((h, i) => (
              <th key={i} className="border p-1 text-left font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, c) => (
                <td key={c} className="border p-1">
                  {cell ?? ""}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ResultsViewer({ result }: { result: ResultView }) {
  const sections: { id: string; label: string; count: number; body: ReactNode }[] = [
    {
      id: "title",
      label: "Title block",
      count: result.titleBlock ? Object.keys(result.titleBlock).length : 0,
      body: result.titleBlock ? <Grid label="Title block" header={["Field", "Value"]} rows={Object.entries(result.titleBlock)} /> : null,
    },
    {
      id: "tables",
      label: "Tables",
      count: result.tables.length,
      body: result.tables.map((t, i) => (
        <div key={i} className="space-y-1">
          <p className="text-xs font-medium">
            {t.kind === "bom" ? "Parts list" : "Table"} {i + 1}
            {t.page ? `, page ${t.page}` : ""} ({t.rows.length} rows)
          </p>
          <Grid label={`Table ${i + 1}`} header={t.header} rows={t.rows.map((r) => t.header.map((h) => r[h]))} />
        </div>
      )),
    },
    {
      id: "dimensions",
      label: "Dimensions",
      count: result.dimensions.length,
      body: (
        <Grid
          label="Dimensions"
          header={["Kind", "Value", "Tolerance", "Unit", "Text", "Where"]}
          rows={result.dimensions.map((d) => [
            d.kind,
            d.count && d.count > 1 ? `${d.count}× ${d.value ?? ""}` : d.value,
            formatTolerance(d.tolerance),
            d.unit ?? result.units,
            d.text,
            d.layer ?? (d.page ? `page ${d.page}` : ""),
          ])}
        />
      ),
    },
    {
      id: "blocks",
      label: "Blocks",
      count: result.blocks.length + result.inserts.length,
      body: (
        <div className="space-y-2">
          <Grid label="Blocks" header={["Block", "Entities", "References", "Attributes"]} rows={result.blocks.map((b) => [b.name, b.entity_count, b.references ?? 0, (b.attdefs ?? []).join(", ")])} />
          {result.inserts.length ? (
            <Grid
              label="Block attributes"
              header={["Block", "Layer", "Attributes"]}
              rows={result.inserts.map((i) => [i.block, i.layer, Object.entries(i.attributes).map(([k, v]) => `${k}=${v}`).join("; ")])}
            />
          ) : null}
        </div>
      ),
    },
    {
      id: "layers",
      label: "Layers",
      count: result.layers.length,
      body: (
        <Grid
          label="Layers"
          header={["Layer", "State"]}
          rows={result.layers.map((l) => [l.name, [l.on === false ? "off" : "on", l.frozen ? "frozen" : "", l.locked ? "locked" : ""].filter(Boolean).join(", ")])}
        />
      ),
    },
    {
      id: "texts",
      label: "Texts",
      count: result.texts.length,
      body: <Grid label="Texts" header={["Text", "Kind", "Where"]} rows={result.texts.map((t) => [t.text, t.kind, t.layer ?? (t.page ? `page ${t.page}` : "")])} />,
    },
  ];
  const shown = sections.filter((s) => s.count > 0);
  return (
    <div className="space-y-2" data-testid="extraction-results">
      {result.warnings.length ? (
        <ul className="text-xs text-amber-800">
          {result.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      ) : null}
      {shown.length === 0 ? <p className="text-sm">Nothing was found in this file.</p> : null}
      {shown.length ? (
        <Tabs defaultValue={shown[0]?.id}>
          <TabsList className="flex-wrap">
            {shown.map((s) => (
              <TabsTrigger key={s.id} value={s.id}>
                {s.label} ({s.count})
              </TabsTrigger>
            ))}
          </TabsList>
          {shown.map((s) => (
            <TabsContent key={s.id} value={s.id} className="space-y-2 pt-2">
              {s.body}
            </TabsContent>
          ))}
        </Tabs>
      ) : null}
    </div>
  );
}

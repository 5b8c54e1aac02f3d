// Reading an extraction result (a JSON document, see shared/pybase/extraction/results.py) for display.

export interface Tolerance {
  type: string;
  plus?: number | null;
  minus?: number | null;
  upper?: number | null;
  lower?: number | null;
  fit?: string | null;
}

export interface Dimension {
  kind: string;
  value?: number | null;
  text?: string;
  unit?: string | null;
  tolerance?: Tolerance | null;
  count?: number | null;
  layer?: string | null;
  page?: number | null;
}

export interface ResultView {
  format: string;
  units: string | null;
  layers: { name: string; on?: boolean; frozen?: boolean; locked?: boolean }[];
  blocks: { name: string; entity_count: number; references?: number; attdefs?: string[] }[];
  inserts: { block: string; layer?: string | null; attributes: Record<string, string> }[];
  titleBlock: Record<string, string> | null;
  dimensions: Dimension[];
  texts: { text: string; kind: string; layer?: string | null; page?: number | null }[];
  tables: { kind: string; header: string[]; rows: Record<string, string>[]; page?: number | null }[];
  warnings: string[];
}

const list = <T,>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

export function readResult(result: Record<string, unknown> | null | undefined): ResultView | null {
  if (!result) return null;
  const title = result.title_block as { fields?: Record<string, string> } | null | undefined;
  return {
    format: String(result.format ?? ""),
    units: typeof result.units === "string" ? result.units : null,
    layers: list(result.layers),
    blocks: list(result.blocks),
    inserts: list<{ block: string; layer?: string | null; attributes?: Record<string, string> }>(result.inserts)
      .filter((i) => i.attributes && Object.keys(i.attributes).length)
      .map((i) => ({ block: i.block, layer: i.layer ?? null, attributes: i.attributes ?? {} })),
    titleBlock: title?.fields && Object.keys(title.fields).length ? title.fields : null,
    dimensions: list(result.dimensions),
    texts: list(result.texts),
    tables: list(result.tables),
    warnings: list(result.warnings),
  };
}

const num = (n: number) => String(Number(n.toFixed(6)));

/** A dimension's tolerance as drawn: ±0.1, +0.2/-0.1, 10.1–9.9, or an ISO fit (H7). */
export function formatTolerance(tol: Tolerance | null | undefined): string {
  if (!tol) return "";
  if (tol.fit) return tol.fit;
  if (tol.type === "symmetric" && tol.plus != null) return `±${num(tol.plus)}`;
  if (tol.type === "limits" && tol.upper != null && tol.lower != null) return `${num(tol.upper)}–${num(tol.lower)}`;
  if (tol.plus != null || tol.minus != null) {
    // Deviations are signed: +0.2/-0.1, or +0.3/+0.1 for a shaft above its nominal size.
    const signed = (n: number) => `${n >= 0 ? "+" : ""}${num(n)}`;
    return `${signed(tol.plus ?? 0)}/${signed(tol.minus ?? 0)}`;
  }
  return tol.type;
}

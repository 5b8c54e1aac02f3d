// The import wizard's preview: the file parsed in the browser (RFC 4180 quoting, the delimiter the
// server would pick), a guessed type per column, and columns matched to fields by name. The server
// parses again and decides; this only lets the user check and map before sending.

export const DELIMITERS = [",", ";", "\t", "|"] as const;

/** The delimiter the header line has most of (the server's rule), comma on a tie. */
export function detectDelimiter(text: string): string {
  const end = text.search(/\r?\n/);
  const header = end === -1 ? text : text.slice(0, end);
  let best: string = ",";
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = header.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Rows of cells; quoted cells may hold the delimiter, doubled quotes and line breaks. */
export function parseCsv(text: string, delimiter = detectDelimiter(text), maxRows = Infinity): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    row.push(cell);
    cell = "";
    if (!(row.length === 1 && row[0] === "")) rows.push(row);
    row = [];
  };
  for (; i < text.length && rows.length < maxRows; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === delimiter) {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i += 1;
      endRow();
    } else cell += ch;
  }
  if (rows.length < maxRows && (cell !== "" || row.length)) endRow();
  return rows;
}

export type InferredType =
  | "checkbox"
  | "number"
  | "currency"
  | "percent"
  | "date"
  | "datetime"
  | "email"
  | "url"
  | "long_text"
  | "single_select"
  | "text";

const TESTS: [InferredType, RegExp][] = [
  ["checkbox", /^(yes|no|true|false|checked|unchecked|y|n)$/i],
  ["number", /^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/],
  ["currency", /^-?[$€£¥]\s?\d[\d,]*(\.\d+)?$/],
  ["percent", /^-?\d+(\.\d+)?\s?%$/],
  ["date", /^(\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{4})$/],
  ["datetime", /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/],
  ["email", /^[^@\s]+@[^@\s]+\.[^@\s]+$/],
  ["url", /^https?:\/\/\S+$/i],
];

/** A guess of the column's type from its non-empty values: the first type every value fits. */
export function inferType(values: readonly string[]): InferredType {
  const filled = values.map((v) => v.trim()).filter(Boolean);
  if (filled.length === 0) return "text";
  for (const [type, test] of TESTS) if (filled.every((v) => test.test(v))) return type;
  if (filled.some((v) => v.includes("\n") || v.length > 255)) return "long_text";
  const distinct = new Set(filled);
  if (distinct.size <= 20 && filled.length >= distinct.size * 2 && filled.every((v) => v.length <= 40)) return "single_select";
  return "text";
}

export interface ColumnPreview {
  header: string;
  type: InferredType;
  samples: string[];
}

export interface Preview {
  delimiter: string;
  headers: string[];
  rows: string[][];
  columns: ColumnPreview[];
  /** Rows whose cell count differs from the header's (the server reports them too). */
  ragged: number[];
}

/** The first `limit` data rows and a type per column (guessed from up to 500 rows). */
export function preview(text: string, limit = 20): Preview {
  const delimiter = detectDelimiter(text);
  const all = parseCsv(text, delimiter, 501);
  const [headers = [], ...data] = all;
  const columns = headers.map((header, i) => {
    const values = data.map((row) => row[i] ?? "");
    return { header, type: inferType(values), samples: values.slice(0, 3) };
  });
  const ragged = data.flatMap((row, i) => (row.length !== headers.length ? [i + 2] : []));
  return { delimiter, headers, rows: data.slice(0, limit), columns, ragged };
}

export interface FieldRef {
  id: string;
  name: string;
  read_only?: boolean;
}

/** "new" creates a field, "skip" leaves the column out, otherwise a field id. */
export type ColumnTarget = "new" | "skip" | string;

/** Each column mapped to the field of the same name (case-insensitive), otherwise a new field. */
export function suggestMapping(headers: readonly string[], fields: readonly FieldRef[]): ColumnTarget[] {
  const byName = new Map(fields.filter((f) => !f.read_only).map((f) => [f.name.trim().toLowerCase(), f.id]));
  return headers.map((h) => byName.get(h.trim().toLowerCase()) ?? "new");
}

/** The import request's options for a mapping: `columns` and whether fields are created. */
export function mappingOptions(
  headers: readonly string[],
  targets: readonly ColumnTarget[],
): { columns: Record<string, string | null>; create_missing_fields: boolean } {
  const columns: Record<string, string | null> = {};
  let create = false;
  headers.forEach((header, i) => {
    const target = targets[i] ?? "skip";
    if (target === "skip") columns[header] = null;
    // Left out of `columns`, a column is matched by name and, when no field has it, created.
    else if (target === "new") create = true;
    else columns[header] = target;
  });
  return { columns, create_missing_fields: create };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** An import id chosen by the client, so it can poll progress while the import request runs. */
export function newImportId(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return `imp${Array.from(random(14), (b) => ALPHABET[b % ALPHABET.length]).join("")}`;
}

// Clipboard ranges as spreadsheets write them: tab-separated cells, CRLF or LF between rows, a cell
// holding a tab, newline or quote wrapped in double quotes with inner quotes doubled (Excel, Sheets,
// LibreOffice, Airtable all do this).

/** Parse clipboard text into rows of cells. A trailing line break does not add an empty row. */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let i = 0;
  let atCellStart = true;
  const n = text.length;
  while (i < n) {
    const ch = text.charAt(i);
    if (atCellStart && ch === '"') {
      // A quoted cell: read to the closing quote; "" is a literal quote.
      let j = i + 1;
      let value = "";
      let closed = false;
      while (j < n) {
        const c = text.charAt(j);
        if (c === '"') {
          if (text[j + 1] === '"') {
            value += '"';
            j += 2;
            continue;
          }
          closed = true;
          j += 1;
          break;
        }
        value += c;
        j += 1;
      }
      const next = text[j];
      if (closed && (j >= n || next === "\t" || next === "\n" || next === "\r")) {
        cell = value;
        i = j;
        atCellStart = false;
        continue;
      }
      // Not a well-formed quoted cell (a quote that only starts the text): take it literally.
    }
    atCellStart = false;
    if (ch === "\t") {
      row.push(cell);
      cell = "";
      atCellStart = true;
      i += 1;
    } else if (ch === "\r" || ch === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      atCellStart = true;
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      cell += ch;
      i += 1;
    }
  }
  if (!atCellStart || cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

function quote(cell: string): string {
  return /[\t\n\r"]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** Rows of cells to clipboard text (the inverse of parseTsv). */
export function toTsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(quote).join("\t")).join("\n");
}

/** Split `items` into chunks of at most `size` (batch writes take up to 1,000 records). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

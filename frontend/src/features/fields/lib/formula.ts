// Formula editing helpers: what to suggest at the caret ({Field name} after an open brace, function
// names while a word is typed) and how to insert a suggestion.

export interface FormulaFunction {
  name: string;
  min_args?: number;
  max_args?: number | null;
  description?: string;
}

export interface Completion {
  kind: "field" | "function";
  label: string;
  insert: string;
  /** The text range the insertion replaces. */
  from: number;
  to: number;
}

/** Used when the API does not list its functions. */
export const FALLBACK_FUNCTIONS: FormulaFunction[] = [
  "ABS", "AND", "AVERAGE", "CEILING", "CONCATENATE", "COUNT", "COUNTA", "DATEADD", "DATETIME_DIFF",
  "DATETIME_FORMAT", "FIND", "FLOOR", "IF", "IS_AFTER", "IS_BEFORE", "LEFT", "LEN", "LOWER", "MAX", "MID",
  "MIN", "MOD", "NOT", "NOW", "OR", "POWER", "REPLACE", "RIGHT", "ROUND", "SQRT", "SUBSTITUTE", "SUM", "SWITCH",
  "TODAY", "TRIM", "UPPER", "VALUE",
].map((name) => ({ name }));

const LIMIT = 8;

/** Inside a "..." or '...' string at `caret`? (Braces and words there are text, not references.) */
function inString(text: string, caret: number): boolean {
  let quote: string | null = null;
  for (let i = 0; i < caret; i += 1) {
    const ch = text[i];
    if (quote) {
      if (ch === "\\") i += 1;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
  }
  return quote !== null;
}

function rankMatches<T>(items: T[], name: (item: T) => string, prefix: string): T[] {
  const p = prefix.toLowerCase();
  const starts = items.filter((item) => name(item).toLowerCase().startsWith(p));
  const contains = p ? items.filter((item) => !name(item).toLowerCase().startsWith(p) && name(item).toLowerCase().includes(p)) : [];
  return [...starts, ...contains];
}

export function completionsAt(text: string, caret: number, fieldNames: string[], functions: FormulaFunction[]): Completion[] {
  if (inString(text, caret)) return [];
  const before = text.slice(0, caret);
  const open = before.lastIndexOf("{");
  if (open > before.lastIndexOf("}")) {
    // A field reference being typed: complete it, replacing an existing closing brace too.
    const prefix = before.slice(open + 1);
    const to = text[caret] === "}" ? caret + 1 : caret;
    return rankMatches(fieldNames, (n) => n, prefix)
      .slice(0, LIMIT)
      .map((name) => ({ kind: "field", label: name, insert: `{${name}}`, from: open, to }));
  }
  const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(before);
  if (!word) return [];
  const prefix = word[0];
  const from = caret - prefix.length;
  const fns = functions
    .filter((f) => f.name.toLowerCase().startsWith(prefix.toLowerCase()))
    .slice(0, LIMIT)
    .map<Completion>((f) => ({ kind: "function", label: f.name, insert: `${f.name}(`, from, to: caret }));
  const fields = rankMatches(fieldNames, (n) => n, prefix)
    .filter((n) => n.toLowerCase().startsWith(prefix.toLowerCase()))
    .slice(0, Math.max(0, LIMIT - fns.length))
    .map<Completion>((name) => ({ kind: "field", label: name, insert: `{${name}}`, from, to: caret }));
  return [...fns, ...fields];
}

export function applyCompletion(text: string, completion: Completion): { text: string; caret: number } {
  const next = text.slice(0, completion.from) + completion.insert + text.slice(completion.to);
  return { text: next, caret: completion.from + completion.insert.length };
}

export function signature(fn: FormulaFunction): string {
  if (fn.min_args === undefined) return `${fn.name}(…)`;
  const max = fn.max_args;
  const args = max === null || max === undefined ? `${fn.min_args}+ arguments` : fn.min_args === max ? `${max} argument${max === 1 ? "" : "s"}` : `${fn.min_args}-${max} arguments`;
  return `${fn.name}(${args})`;
}

/** A stored formula as people write it: the API keeps references as `{fld…}` IDs (so renames never
 * break a formula) and accepts names or IDs back; the editor shows names. Unknown IDs stay as they are. */
export function displayFormula(stored: string, fields: { id: string; name: string }[]): string {
  const names = new Map(fields.map((f) => [f.id, f.name]));
  return stored.replace(/\{(fld[A-Za-z0-9]{14})\}/g, (whole, id: string) => {
    const name = names.get(id);
    return name !== undefined ? `{${name}}` : whole;
  });
}

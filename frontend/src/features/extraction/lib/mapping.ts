// Mapping an extraction result into records: the server suggests columns (source -> field, matched
// by name in the target table) and preview rows; the user keeps, renames or drops columns. This
// turns the choices into the preview records and the POST /extraction-jobs/{id}/mapping body.

export interface SuggestedColumn {
  source: string;
  field: string;
  field_id: string | null;
  type: string;
  options?: Record<string, unknown>;
  exists: boolean;
}

export interface SuggestedMapping {
  table_id: string | null;
  source: string;
  sources: Record<string, number>;
  columns: SuggestedColumn[];
  options: Record<string, unknown>;
  row_count: number;
  preview: Record<string, unknown>[];
}

export interface ColumnChoice {
  source: string;
  include: boolean;
  /** A field of the table (its id) or the name of a field to create. */
  fieldId: string | null;
  fieldName: string;
  type: string;
  options: Record<string, unknown>;
}

export interface TableField {
  id: string;
  name: string;
  type: string;
  read_only?: boolean;
}

export const SOURCE_LABELS: Record<string, string> = {
  bom: "BOM rows",
  dimensions: "Dimensions",
  blocks: "Blocks",
  title_block: "Title block",
  texts: "Texts",
  elements: "IFC elements",
  parts: "STEP parts",
};

export function initialChoices(suggested: SuggestedMapping): ColumnChoice[] {
  return suggested.columns.map((c) => ({
    source: c.source,
    include: true,
    fieldId: c.field_id,
    fieldName: c.field,
    type: c.type,
    options: c.options ?? {},
  }));
}

/** Point a column at an existing field (by id) or at a new field with this name. */
export function retarget(choice: ColumnChoice, fields: readonly TableField[], target: string): ColumnChoice {
  const field = fields.find((f) => f.id === target);
  return field ? { ...choice, fieldId: field.id, fieldName: field.name, type: field.type } : { ...choice, fieldId: null, fieldName: target };
}

/** What is wrong with the choices, if anything (nothing mapped, two columns on one field, a computed field). */
export function mappingProblems(choices: readonly ColumnChoice[], fields: readonly TableField[]): string[] {
  const included = choices.filter((c) => c.include);
  const problems: string[] = [];
  if (included.length === 0) problems.push("Choose at least one column to map.");
  const seen = new Map<string, string>();
  for (const c of included) {
    const key = (c.fieldId ?? c.fieldName.trim().toLowerCase()) || "";
    if (!key) problems.push(`Name the field for ${c.source}.`);
    const earlier = seen.get(key);
    if (earlier) problems.push(`${earlier} and ${c.source} both go to ${c.fieldName}.`);
    else seen.set(key, c.source);
    const field = c.fieldId ? fields.find((f) => f.id === c.fieldId) : undefined;
    if (field?.read_only) problems.push(`${field.name} is computed and cannot be written.`);
  }
  return problems;
}

/** The records the mapping would create from the preview rows, keyed by field name. */
export function previewRecords(preview: readonly Record<string, unknown>[], choices: readonly ColumnChoice[]): Record<string, unknown>[] {
  const included = choices.filter((c) => c.include);
  return preview.map((row) => Object.fromEntries(included.map((c) => [c.fieldName, row[c.source] ?? null])));
}

export interface MappingRequestBody {
  table_id: string;
  source: string;
  columns: { source: string; field: string; type?: string; options?: Record<string, unknown> }[];
  options: Record<string, unknown>;
  create_missing_fields: boolean;
  typecast: boolean;
  idempotency_key: string;
}

export function mappingRequest(
  tableId: string,
  suggested: SuggestedMapping,
  choices: readonly ColumnChoice[],
  idempotencyKey: string,
): MappingRequestBody {
  const included = choices.filter((c) => c.include);
  return {
    table_id: tableId,
    source: suggested.source,
    columns: included.map((c) =>
      c.fieldId ? { source: c.source, field: c.fieldId } : { source: c.source, field: c.fieldName.trim(), type: c.type, options: c.options },
    ),
    options: suggested.options,
    create_missing_fields: included.some((c) => !c.fieldId),
    typecast: true,
    idempotency_key: idempotencyKey,
  };
}

// The options of a field, one small form per type: precision, currency symbol, select options with
// colours, date format and time zone, link target and single/multiple, lookup / rollup / count
// (link field, field of the linked table, aggregation), formula, rating maximum, dimension unit.
// Types without options (text, email, checkbox, created time...) say so.
import { useQuery } from "@tanstack/react-query";
import { Plus, Trash2 } from "lucide-react";
import { useId, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/native-select";
import { FormulaEditor, type FormulaCheck } from "@/features/fields/components/formula-editor";
import { baseTablesQuery, fieldTypesQuery, tableFieldsQuery } from "@/features/fields/api/fields";
import {
  COLOR_SWATCH,
  DATE_FORMATS,
  DIMENSION_UNITS,
  DURATION_FORMATS,
  ROLLUP_FUNCTIONS,
  SELECT_COLORS,
  type SelectChoice,
} from "@/features/fields/lib/field-types";
import { FALLBACK_FUNCTIONS } from "@/features/fields/lib/formula";
import type { FieldDef } from "@/types/api";

export interface FieldOptionsFormProps {
  type: string;
  options: Record<string, unknown>;
  onChange: (options: Record<string, unknown>) => void;
  /** The table's fields (formula references, lookup/rollup/count link fields); the edited one excluded. */
  fields: FieldDef[];
  baseId?: string | undefined;
  /** The field being edited (a link's target table cannot change). */
  editing?: boolean;
  validateFormula?: (formula: string) => Promise<FormulaCheck>;
}

function Row({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="grid grid-cols-[10rem_1fr] items-center gap-3">
      <label htmlFor={id} className="text-sm">
        {label}
      </label>
      {children(id)}
    </div>
  );
}

const ZONES: string[] = (() => {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    const zones = intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : [];
    return ["UTC", ...zones.filter((zone) => zone !== "UTC")];
  } catch {
    return ["UTC"];
  }
})();

export function FieldOptionsForm({ type, options, onChange, fields, baseId, editing = false, validateFormula }: FieldOptionsFormProps) {
  const set = (key: string, value: unknown) => onChange({ ...options, [key]: value });
  const str = (key: string) => (typeof options[key] === "string" ? (options[key] as string) : "");
  const num = (key: string, fallback: number) => (typeof options[key] === "number" ? (options[key] as number) : fallback);

  const precision = (max = 8) => (
    <Row label="Decimal places">
      {(id) => (
        <NativeSelect id={id} value={String(num("precision", 0))} onChange={(e) => set("precision", Number(e.target.value))}>
          {Array.from({ length: max + 1 }, (_, n) => (
            <option key={n} value={n}>
              {n === 0 ? "1 (integer)" : (1).toFixed(n)}
            </option>
          ))}
        </NativeSelect>
      )}
    </Row>
  );
  const allowNegative = (
    <Row label="Allow negative numbers">
      {(id) => <input id={id} type="checkbox" checked={options.allow_negative !== false} onChange={(e) => set("allow_negative", e.target.checked)} />}
    </Row>
  );
  const timezone = (
    <Row label="Time zone">
      {(id) => (
        <NativeSelect id={id} value={str("timezone")} onChange={(e) => set("timezone", e.target.value)}>
          <option value="">Not set (UTC)</option>
          {ZONES.map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </NativeSelect>
      )}
    </Row>
  );

  switch (type) {
    case "number":
    case "percent":
      return (
        <div className="grid gap-3" data-testid="field-options">
          {precision()}
          {allowNegative}
        </div>
      );
    case "currency":
      return (
        <div className="grid gap-3" data-testid="field-options">
          <Row label="Currency symbol">
            {(id) => <Input id={id} className="w-24" maxLength={5} value={str("symbol")} onChange={(e) => set("symbol", e.target.value)} />}
          </Row>
          {precision()}
          {allowNegative}
        </div>
      );
    case "rating":
      return (
        <div className="grid gap-3" data-testid="field-options">
          <Row label="Maximum">
            {(id) => (
              <NativeSelect id={id} value={String(num("max", 5))} onChange={(e) => set("max", Number(e.target.value))}>
                {Array.from({ length: 10 }, (_, n) => (
                  <option key={n + 1} value={n + 1}>
                    {n + 1}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Row>
        </div>
      );
    case "duration":
      return (
        <div className="grid gap-3" data-testid="field-options">
          <Row label="Format">
            {(id) => (
              <NativeSelect id={id} value={str("format") || "h:mm"} onChange={(e) => set("format", e.target.value)}>
                {DURATION_FORMATS.map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Row>
        </div>
      );
    case "date":
      return (
        <div className="grid gap-3" data-testid="field-options">
          <Row label="Date format">
            {(id) => (
              <NativeSelect id={id} value={str("format") || "iso"} onChange={(e) => set("format", e.target.value)}>
                {DATE_FORMATS.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Row>
          {timezone}
        </div>
      );
    case "datetime":
    case "created_time":
    case "last_modified_time":
      return (
        <div className="grid gap-3" data-testid="field-options">
          {timezone}
        </div>
      );
    case "single_select":
    case "multiple_select":
      return <ChoicesEditor choices={Array.isArray(options.choices) ? (options.choices as SelectChoice[]) : []} onChange={(choices) => set("choices", choices)} />;
    case "user":
      return (
        <div className="grid gap-3" data-testid="field-options">
          <Row label="Allow several users">
            {(id) => <input id={id} type="checkbox" checked={options.multiple === true} onChange={(e) => set("multiple", e.target.checked)} />}
          </Row>
        </div>
      );
    case "dimension":
      return (
        <div className="grid gap-3" data-testid="field-options">
          <Row label="Unit">
            {(id) => (
              <NativeSelect id={id} value={str("unit") || "mm"} onChange={(e) => set("unit", e.target.value)}>
                {DIMENSION_UNITS.map((u) => (
                  <option key={u} value={u}>
                    {u}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Row>
        </div>
      );
    case "link":
      return <LinkOptions options={options} onChange={onChange} baseId={baseId} editing={editing} />;
    case "lookup":
    case "rollup":
    case "count":
      return <RelationOptions type={type} options={options} onChange={onChange} fields={fields} validateFormula={validateFormula} />;
    case "formula":
      return (
        <FormulaField
          value={str("formula")}
          onChange={(formula) => set("formula", formula)}
          fieldNames={fields.map((f) => f.name)}
          validate={validateFormula}
        />
      );
    case "button":
      return (
        <div className="grid gap-3" data-testid="field-options">
          <Row label="Label">
            {(id) => <Input id={id} value={str("label")} maxLength={100} onChange={(e) => set("label", e.target.value)} />}
          </Row>
          <FormulaField
            label="URL formula (the page the button opens; empty leaves it disabled)"
            value={str("url_formula")}
            onChange={(formula) => set("url_formula", formula)}
            fieldNames={fields.map((f) => f.name)}
            validate={validateFormula}
          />
        </div>
      );
    default:
      return (
        <p className="text-sm text-muted-foreground" data-testid="field-options">
          This type has no options.
        </p>
      );
  }
}

function FormulaField({
  value,
  onChange,
  fieldNames,
  validate,
  label,
}: {
  value: string;
  onChange: (value: string) => void;
  fieldNames: string[];
  validate?: ((formula: string) => Promise<FormulaCheck>) | undefined;
  label?: string;
}) {
  const catalog = useQuery(fieldTypesQuery());
  const functions = catalog.data?.formula_functions?.length ? catalog.data.formula_functions : FALLBACK_FUNCTIONS;
  return (
    <FormulaEditor
      value={value}
      onChange={onChange}
      fieldNames={fieldNames}
      functions={functions}
      {...(validate ? { validate } : {})}
      {...(label ? { label } : {})}
    />
  );
}

function ChoicesEditor({ choices, onChange }: { choices: SelectChoice[]; onChange: (choices: SelectChoice[]) => void }) {
  const update = (index: number, patch: Partial<SelectChoice>) => onChange(choices.map((c, i) => (i === index ? { ...c, ...patch } : c)));
  return (
    <div className="grid gap-2" data-testid="field-options">
      <span className="text-sm">Options</span>
      <ul className="grid gap-1.5">
        {choices.map((choice, index) => (
          <li key={choice.id ?? `new-${index}`} className="flex items-center gap-2">
            <span aria-hidden className="h-4 w-4 shrink-0 rounded-full border" style={{ background: COLOR_SWATCH[choice.color ?? "gray"] }} />
            <Input aria-label={`Option ${index + 1} name`} className="h-8" value={choice.name} onChange={(e) => update(index, { name: e.target.value })} />
            <NativeSelect aria-label={`Option ${index + 1} colour`} value={choice.color ?? "gray"} onChange={(e) => update(index, { color: e.target.value })}>
              {SELECT_COLORS.map((color) => (
                <option key={color} value={color}>
                  {color.replace("_", " ")}
                </option>
              ))}
            </NativeSelect>
            <Button type="button" size="icon" variant="ghost" className="h-8 w-8" aria-label={`Remove option ${index + 1}`} onClick={() => onChange(choices.filter((_, i) => i !== index))}>
              <Trash2 className="h-4 w-4" />
            </Button>
          </li>
        ))}
      </ul>
      <Button
        type="button"
        size="sm"
        variant="ghost"
        className="justify-self-start"
        onClick={() => onChange([...choices, { name: "", color: SELECT_COLORS[choices.length % SELECT_COLORS.length] }])}
      >
        <Plus className="h-4 w-4" /> Add option
      </Button>
    </div>
  );
}

function LinkOptions({
  options,
  onChange,
  baseId,
  editing,
}: {
  options: Record<string, unknown>;
  onChange: (options: Record<string, unknown>) => void;
  baseId: string | undefined;
  editing: boolean;
}) {
  const tables = useQuery(baseTablesQuery(baseId ?? ""));
  const list = (tables.data as { id: string; name: string }[] | undefined) ?? [];
  return (
    <div className="grid gap-3" data-testid="field-options">
      <Row label="Link to table">
        {(id) => (
          <NativeSelect
            id={id}
            value={typeof options.linked_table_id === "string" ? options.linked_table_id : ""}
            disabled={editing}
            onChange={(e) => onChange({ ...options, linked_table_id: e.target.value })}
          >
            <option value="">Choose a table</option>
            {list.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </NativeSelect>
        )}
      </Row>
      <Row label="Records per cell">
        {(id) => (
          <NativeSelect id={id} value={options.single === true ? "single" : "multiple"} onChange={(e) => onChange({ ...options, single: e.target.value === "single" })}>
            <option value="multiple">Several records</option>
            <option value="single">One record</option>
          </NativeSelect>
        )}
      </Row>
      {!editing && (
        <Row label="Add a field to the other table">
          {(id) => <input id={id} type="checkbox" checked={options.create_inverse !== false} onChange={(e) => onChange({ ...options, create_inverse: e.target.checked })} />}
        </Row>
      )}
    </div>
  );
}

function RelationOptions({
  type,
  options,
  onChange,
  fields,
  validateFormula,
}: {
  type: "lookup" | "rollup" | "count";
  options: Record<string, unknown>;
  onChange: (options: Record<string, unknown>) => void;
  fields: FieldDef[];
  validateFormula?: ((formula: string) => Promise<FormulaCheck>) | undefined;
}) {
  const links = fields.filter((f) => f.type === "link");
  const linkId = typeof options.link_field_id === "string" ? options.link_field_id : "";
  const link = links.find((f) => f.id === linkId);
  const target = typeof link?.options.linked_table_id === "string" ? link.options.linked_table_id : "";
  const targetFields = useQuery(tableFieldsQuery(target));
  const usesFormula = type === "rollup" && !options.function && typeof options.formula === "string";
  if (!links.length) {
    return (
      <p className="text-sm text-muted-foreground" data-testid="field-options">
        This table has no link field yet: add a “Link to another record” field first.
      </p>
    );
  }
  return (
    <div className="grid gap-3" data-testid="field-options">
      <Row label="Link field">
        {(id) => (
          <NativeSelect id={id} value={linkId} onChange={(e) => onChange({ ...options, link_field_id: e.target.value, field_id: undefined })}>
            <option value="">Choose a link field</option>
            {links.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </NativeSelect>
        )}
      </Row>
      {type !== "count" && (
        <Row label="Field of the linked table">
          {(id) => (
            <NativeSelect id={id} value={typeof options.field_id === "string" ? options.field_id : ""} disabled={!target} onChange={(e) => onChange({ ...options, field_id: e.target.value })}>
              <option value="">{targetFields.isPending && target ? "Loading…" : "Choose a field"}</option>
              {(targetFields.data ?? []).map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </NativeSelect>
          )}
        </Row>
      )}
      {type === "rollup" && (
        <Row label="Aggregation">
          {(id) => (
            <NativeSelect
              id={id}
              value={usesFormula ? "__formula" : typeof options.function === "string" ? options.function : "SUM"}
              onChange={(e) => {
                const { function: _fn, formula: _formula, ...rest } = options;
                onChange(e.target.value === "__formula" ? { ...rest, formula: "SUM(values)" } : { ...rest, function: e.target.value });
              }}
            >
              {ROLLUP_FUNCTIONS.map((fn) => (
                <option key={fn} value={fn}>
                  {fn}
                </option>
              ))}
              <option value="__formula">A formula over values…</option>
            </NativeSelect>
          )}
        </Row>
      )}
      {usesFormula && (
        <FormulaField
          label="Rollup formula (the linked values are `values`)"
          value={typeof options.formula === "string" ? options.formula : ""}
          onChange={(formula) => onChange({ ...options, formula })}
          fieldNames={[]}
          validate={validateFormula}
        />
      )}
    </div>
  );
}

// The filter builder: a tree of AND/OR groups (nested up to MAX_DEPTH levels) whose conditions offer
// each field type's operators, with a value input that fits the type and operator. Any condition or
// group can be negated ("not"), as the API's filter tree allows.
import { Plus, Trash2 } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/native-select";
import {
  addChild,
  condition,
  depthOf,
  emptyGroup,
  MAX_DEPTH,
  removeNode,
  toggleNot,
  updateNode,
  type FilterCondition,
  type FilterGroup,
  type FilterNode,
} from "@/features/views/lib/filter-tree";
import {
  DATE_MODES,
  DATE_RANGES,
  defaultValue,
  operatorLabel,
  operatorsFor,
  valueKind,
  type FieldTypeCatalog,
} from "@/features/views/lib/operators";
import type { FieldDef } from "@/types/api";

export interface FilterBuilderProps {
  fields: FieldDef[];
  catalog: FieldTypeCatalog | undefined;
  value: FilterGroup;
  onChange: (next: FilterGroup) => void;
  disabled?: boolean;
}

export function FilterBuilder({ fields, catalog, value, onChange, disabled = false }: FilterBuilderProps) {
  const filterable = fields.filter((f) => operatorsFor(f, catalog).length > 0);
  const newCondition = (): FilterCondition | null => {
    const field = filterable[0];
    if (!field) return null;
    const op = operatorsFor(field, catalog)[0] ?? "is";
    return condition(field.id, op, defaultValue(valueKind(field, op)));
  };
  const ctx: Ctx = { fields: filterable, catalog, root: value, onChange, disabled, newCondition };
  return (
    <div className="grid gap-2" data-testid="filter-builder">
      {value.children.length === 0 && <p className="text-sm text-muted-foreground">No filters: every record is shown.</p>}
      <GroupBody group={value} ctx={ctx} />
    </div>
  );
}

interface Ctx {
  fields: FieldDef[];
  catalog: FieldTypeCatalog | undefined;
  root: FilterGroup;
  onChange: (next: FilterGroup) => void;
  disabled: boolean;
  newCondition: () => FilterCondition | null;
}

function GroupBody({ group, ctx }: { group: FilterGroup; ctx: Ctx }) {
  const depth = depthOf(ctx.root, group.id);
  const setConjunction = (conjunction: "and" | "or") =>
    ctx.onChange(updateNode(ctx.root, group.id, (node) => (node.kind === "group" ? { ...node, conjunction } : node)));
  return (
    <div className="grid gap-2" role="group" aria-label={depth === 0 ? "Filters" : "Condition group"}>
      {group.children.map((child, index) => (
        <div key={child.id} className="flex items-start gap-2">
          <div className="w-16 shrink-0 pt-1 text-right text-xs text-muted-foreground">
            {index === 0 ? (
              "Where"
            ) : index === 1 ? (
              <NativeSelect
                aria-label="Combine conditions with"
                className="h-7 w-16 px-1 text-xs"
                value={group.conjunction}
                disabled={ctx.disabled}
                onChange={(e) => setConjunction(e.target.value === "or" ? "or" : "and")}
              >
                <option value="and">and</option>
                <option value="or">or</option>
              </NativeSelect>
            ) : (
              group.conjunction
            )}
          </div>
          {child.kind === "condition" ? (
            <ConditionRow node={child} ctx={ctx} />
          ) : (
            <div className="flex-1 rounded-md border bg-muted/40 p-2">
              <div className="mb-2 flex items-center justify-between text-xs text-muted-foreground">
                <span className="flex items-center gap-2">
                  <NotToggle node={child} ctx={ctx} label="Negate condition group" />
                  <span data-testid="group-summary">{groupSummary(child)}</span>
                </span>
                <Button
                  type="button"
                  size="icon"
                  variant="ghost"
                  className="h-7 w-7"
                  aria-label="Remove condition group"
                  disabled={ctx.disabled}
                  onClick={() => ctx.onChange(removeNode(ctx.root, child.id))}
                >
                  <Trash2 className="h-4 w-4" />
                </Button>
              </div>
              <GroupBody group={child} ctx={ctx} />
            </div>
          )}
        </div>
      ))}
      <div className="flex gap-2 pl-[4.5rem]">
        <Button
          type="button"
          size="sm"
          variant="ghost"
          disabled={ctx.disabled || ctx.fields.length === 0}
          onClick={() => {
            const next = ctx.newCondition();
            if (next) ctx.onChange(addChild(ctx.root, group.id, next));
          }}
        >
          <Plus className="h-4 w-4" /> {depth === 0 ? "Add condition" : "Add condition to group"}
        </Button>
        {depth < MAX_DEPTH - 1 && (
          <Button
            type="button"
            size="sm"
            variant="ghost"
            disabled={ctx.disabled || ctx.fields.length === 0}
            onClick={() => {
              const first = ctx.newCondition();
              const sub: FilterNode = { ...emptyGroup(group.conjunction === "and" ? "or" : "and"), children: first ? [first] : [] };
              ctx.onChange(addChild(ctx.root, group.id, sub));
            }}
          >
            <Plus className="h-4 w-4" /> Add condition group
          </Button>
        )}
      </div>
    </div>
  );
}

function groupSummary(group: FilterGroup): string {
  if (group.conjunction === "and") return group.negated ? "Not all of the following are true" : "All of the following are true";
  return group.negated ? "None of the following is true" : "Any of the following is true";
}

function NotToggle({ node, ctx, label }: { node: FilterNode; ctx: Ctx; label: string }) {
  const on = node.negated === true;
  return (
    <Button
      type="button"
      size="sm"
      variant={on ? "secondary" : "ghost"}
      className={on ? "h-7 px-2 text-xs font-semibold" : "h-7 px-2 text-xs text-muted-foreground"}
      aria-label={label}
      aria-pressed={on}
      title={on ? "Negated: matches when this is false" : "Negate: match when this is false"}
      disabled={ctx.disabled}
      onClick={() => ctx.onChange(toggleNot(ctx.root, node.id))}
    >
      not
    </Button>
  );
}

function ConditionRow({ node, ctx }: { node: FilterCondition; ctx: Ctx }) {
  const field = ctx.fields.find((f) => f.id === node.field);
  const operators = field ? operatorsFor(field, ctx.catalog) : [];
  const replace = (next: Partial<FilterCondition>) =>
    ctx.onChange(updateNode(ctx.root, node.id, (n) => (n.kind === "condition" ? { ...n, ...next } : n)));
  const kind = field ? valueKind(field, node.op) : "text";
  return (
    <div className="flex flex-1 flex-wrap items-center gap-2" data-testid="filter-condition">
      <NotToggle node={node} ctx={ctx} label="Negate condition" />
      <NativeSelect
        aria-label="Field"
        className="w-40"
        value={node.field}
        disabled={ctx.disabled}
        onChange={(e) => {
          const next = ctx.fields.find((f) => f.id === e.target.value);
          if (!next) return;
          const ops = operatorsFor(next, ctx.catalog);
          const op = ops.includes(node.op) ? node.op : (ops[0] ?? "is");
          // A value typed for another type rarely means the same thing: start over.
          replace({ field: next.id, op, value: defaultValue(valueKind(next, op)) });
        }}
      >
        {!field && <option value={node.field}>(deleted field)</option>}
        {ctx.fields.map((f) => (
          <option key={f.id} value={f.id}>
            {f.name}
          </option>
        ))}
      </NativeSelect>
      <NativeSelect
        aria-label="Operator"
        className="w-36"
        value={node.op}
        disabled={ctx.disabled || !field}
        onChange={(e) => {
          const op = e.target.value;
          const nextKind = field ? valueKind(field, op) : "text";
          replace({ op, value: nextKind === kind ? node.value : defaultValue(nextKind) });
        }}
      >
        {!operators.includes(node.op) && <option value={node.op}>{operatorLabel(node.op)}</option>}
        {operators.map((op) => (
          <option key={op} value={op}>
            {operatorLabel(op)}
          </option>
        ))}
      </NativeSelect>
      {field && <ValueInput field={field} kind={kind} value={node.value} disabled={ctx.disabled} onChange={(value) => replace({ value })} />}
      <Button
        type="button"
        size="icon"
        variant="ghost"
        className="h-8 w-8"
        aria-label="Remove condition"
        disabled={ctx.disabled}
        onClick={() => ctx.onChange(removeNode(ctx.root, node.id))}
      >
        <Trash2 className="h-4 w-4" />
      </Button>
    </div>
  );
}

function choiceNames(field: FieldDef): string[] {
  const choices = field.options.choices;
  return Array.isArray(choices) ? choices.map((c) => (typeof c === "object" && c && "name" in c ? String((c as { name: unknown }).name) : String(c))) : [];
}

function ValueInput({
  field,
  kind,
  value,
  disabled,
  onChange,
}: {
  field: FieldDef;
  kind: ReturnType<typeof valueKind>;
  value: unknown;
  disabled: boolean;
  onChange: (value: unknown) => void;
}) {
  switch (kind) {
    case "none":
      return null;
    case "boolean":
      return (
        <NativeSelect aria-label="Value" className="w-28" value={value === false ? "false" : "true"} disabled={disabled} onChange={(e) => onChange(e.target.value === "true")}>
          <option value="true">checked</option>
          <option value="false">unchecked</option>
        </NativeSelect>
      );
    case "number":
      return (
        <Input
          aria-label="Value"
          type="number"
          className="h-8 w-32"
          value={typeof value === "number" ? String(value) : typeof value === "string" ? value : ""}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value === "" ? "" : Number(e.target.value))}
        />
      );
    case "choice":
      return (
        <NativeSelect aria-label="Value" className="w-40" value={typeof value === "string" ? value : ""} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
          <option value="">Choose an option</option>
          {choiceNames(field).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </NativeSelect>
      );
    case "choices": {
      const selected = Array.isArray(value) ? value.map(String) : [];
      return (
        <fieldset className="flex max-w-72 flex-wrap gap-x-3 gap-y-1" aria-label="Values">
          {choiceNames(field).map((name) => (
            <label key={name} className="flex items-center gap-1 text-sm">
              <input
                type="checkbox"
                checked={selected.includes(name)}
                disabled={disabled}
                onChange={(e) => onChange(e.target.checked ? [...selected, name] : selected.filter((s) => s !== name))}
              />
              {name}
            </label>
          ))}
          {choiceNames(field).length === 0 && <span className="text-xs text-muted-foreground">This field has no options yet.</span>}
        </fieldset>
      );
    }
    case "list":
      return (
        <Input
          aria-label="Values (comma separated)"
          className="h-8 w-48"
          placeholder="a, b, c"
          value={Array.isArray(value) ? value.join(", ") : ""}
          disabled={disabled}
          onChange={(e) =>
            onChange(
              e.target.value
                .split(",")
                .map((part) => part.trim())
                .filter(Boolean),
            )
          }
        />
      );
    case "date":
    case "date-range": {
      const current = typeof value === "object" && value !== null ? (value as { mode?: string; date?: string }) : {};
      const modes = kind === "date" ? DATE_MODES : DATE_RANGES;
      const mode = current.mode ?? modes[0][0];
      return (
        <span className="flex items-center gap-2">
          <NativeSelect
            aria-label="Date"
            className="w-36"
            value={mode}
            disabled={disabled}
            onChange={(e) => onChange(e.target.value === "exact_date" ? { mode: "exact_date", date: current.date ?? "" } : { mode: e.target.value })}
          >
            {modes.map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </NativeSelect>
          {mode === "exact_date" && (
            <Input
              aria-label="Exact date"
              type="date"
              className="h-8 w-40"
              value={current.date ?? ""}
              disabled={disabled}
              onChange={(e) => onChange({ mode: "exact_date", date: e.target.value })}
            />
          )}
        </span>
      );
    }
    default:
      return (
        <Input
          aria-label="Value"
          className="h-8 w-44"
          value={typeof value === "string" ? value : value === undefined || value === null ? "" : String(value)}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}

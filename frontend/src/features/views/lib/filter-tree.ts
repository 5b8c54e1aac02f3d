// The filter builder's tree and its conversion to and from the API's filter JSON
// (records/query.py): {"and": [...]}, {"or": [...]}, {"not": node}, {"field", "op", "value"}.
// "not" is a flag on a condition or group rather than a node of its own, so the builder shows it
// as a toggle on the row it negates.
// Conditions still missing a value are kept in the builder but left out of what is saved, so a
// half-typed filter never makes the view fail to load.

export type Conjunction = "and" | "or";

export interface FilterCondition {
  kind: "condition";
  id: string;
  field: string;
  op: string;
  value?: unknown;
  negated?: boolean;
}

export interface FilterGroup {
  kind: "group";
  id: string;
  conjunction: Conjunction;
  children: FilterNode[];
  negated?: boolean;
}

export type FilterNode = FilterCondition | FilterGroup;

export const MAX_DEPTH = 3;

let counter = 0;
export function newId(): string {
  counter += 1;
  return `n${counter}`;
}

export function emptyGroup(conjunction: Conjunction = "and"): FilterGroup {
  return { kind: "group", id: newId(), conjunction, children: [] };
}

export function condition(field: string, op: string, value?: unknown): FilterCondition {
  return value === undefined ? { kind: "condition", id: newId(), field, op } : { kind: "condition", id: newId(), field, op, value };
}

/** A copy of the tree with `fn` applied to the node `id` (returning null removes it). */
export function updateNode(root: FilterGroup, id: string, fn: (node: FilterNode) => FilterNode | null): FilterGroup {
  const walk = (group: FilterGroup): FilterGroup => ({
    ...group,
    children: group.children
      .map((child) => (child.id === id ? fn(child) : child.kind === "group" ? walk(child) : child))
      .filter((child): child is FilterNode => child !== null),
  });
  if (root.id === id) {
    const replaced = fn(root);
    return replaced && replaced.kind === "group" ? replaced : emptyGroup(root.conjunction);
  }
  return walk(root);
}

export function addChild(root: FilterGroup, groupId: string, child: FilterNode): FilterGroup {
  return updateNode(root, groupId, (node) => (node.kind === "group" ? { ...node, children: [...node.children, child] } : node));
}

/** Negates the node `id` (or lifts its negation). */
export function toggleNot(root: FilterGroup, id: string): FilterGroup {
  return updateNode(root, id, (node) => ({ ...node, negated: !node.negated }));
}

export function removeNode(root: FilterGroup, id: string): FilterGroup {
  return updateNode(root, id, () => null);
}

export function depthOf(root: FilterGroup, id: string, depth = 0): number {
  if (root.id === id) return depth;
  for (const child of root.children) {
    if (child.kind !== "group") continue;
    const found = depthOf(child, id, depth + 1);
    if (found >= 0) return found;
  }
  return -1;
}

export function hasValue(value: unknown, needsValue: boolean): boolean {
  if (!needsValue) return true;
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") {
    const v = value as { mode?: unknown; date?: unknown };
    return v.mode !== "exact_date" || (typeof v.date === "string" && v.date !== "");
  }
  return true;
}

const NO_VALUE = new Set(["is_empty", "is_not_empty"]);

/** The API's filter JSON for the tree, or null when nothing complete is left. */
export function toApiFilter(root: FilterGroup): Record<string, unknown> | null {
  const negate = (node: FilterNode, out: Record<string, unknown> | null) => (out && node.negated ? { not: out } : out);
  const one = (node: FilterNode): Record<string, unknown> | null => negate(node, plain(node));
  const plain = (node: FilterNode): Record<string, unknown> | null => {
    if (node.kind === "condition") {
      if (!node.field || !node.op) return null;
      if (NO_VALUE.has(node.op)) return { field: node.field, op: node.op };
      if (!hasValue(node.value, true)) return null;
      return { field: node.field, op: node.op, value: node.value };
    }
    const children = node.children.map(one).filter((c): c is Record<string, unknown> => c !== null);
    if (!children.length) return null;
    return { [node.conjunction]: children };
  };
  return one(root);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The builder's tree for a saved filter (a bare condition becomes a group of one). */
export function fromApiFilter(raw: unknown): FilterGroup {
  const one = (node: unknown): FilterNode | null => {
    if (!isRecord(node)) return null;
    if ("not" in node) {
      const inner = one(node.not);
      // Two nots cancel out, as they do in the API.
      return inner ? { ...inner, negated: !inner.negated } : null;
    }
    for (const conjunction of ["and", "or"] as const) {
      const children = node[conjunction];
      if (Array.isArray(children)) {
        return {
          kind: "group",
          id: newId(),
          conjunction,
          children: children.map(one).filter((c): c is FilterNode => c !== null),
        };
      }
    }
    const field = node.field ?? node.field_id;
    const op = node.op ?? node.operator;
    if (typeof field === "string" && typeof op === "string") {
      return "value" in node ? condition(field, op, node.value) : condition(field, op);
    }
    return null;
  };
  const root = one(raw);
  if (!root) return emptyGroup();
  // The root group is never negated itself: a saved top-level "not" becomes its only child.
  return root.kind === "group" && !root.negated ? root : { ...emptyGroup(), children: [root] };
}

/** How many complete conditions the tree holds (the toolbar's "2 filters"). */
export function countConditions(root: FilterGroup): number {
  const saved = toApiFilter(root);
  const count = (node: unknown): number => {
    if (!isRecord(node)) return 0;
    if ("not" in node) return count(node.not);
    const children = node.and ?? node.or;
    return Array.isArray(children) ? children.reduce<number>((n, c) => n + count(c), 0) : 1;
  };
  return saved ? count(saved) : 0;
}

/** Field IDs used anywhere in a saved filter. */
export function fieldsInFilter(raw: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isRecord(node)) {
      if (typeof node.field === "string") out.push(node.field);
      Object.values(node).forEach((v) => {
        if (typeof v === "object") walk(v);
      });
    }
  };
  walk(raw);
  return out;
}

// Linked records in a link field's value: record ids, or objects carrying an id (and maybe a name).

export interface LinkedRef {
  id: string;
  name: string;
}

export function linkedRefs(value: unknown): LinkedRef[] {
  if (!Array.isArray(value)) return [];
  const out: LinkedRef[] = [];
  for (const item of value) {
    if (typeof item === "string") out.push({ id: item, name: item });
    else if (item && typeof item === "object" && typeof (item as { id?: unknown }).id === "string") {
      const ref = item as { id: string; name?: unknown };
      out.push({ id: ref.id, name: typeof ref.name === "string" && ref.name ? ref.name : ref.id });
    }
  }
  return out;
}

// Table order in a base: the API stores a position per table (no shifting of the others), so a move
// renumbers the list 0..n-1 and only the tables whose position changes are written.

export interface Positioned {
  id: string;
  position: number;
}

export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const result = [...items];
  if (from < 0 || from >= result.length || to < 0 || to >= result.length || from === to) return result;
  const [moved] = result.splice(from, 1);
  if (moved !== undefined) result.splice(to, 0, moved);
  return result;
}

/** The writes that give `ordered` positions 0..n-1: [id, position] for each table that moves. */
export function positionWrites(ordered: readonly Positioned[]): [string, number][] {
  const writes: [string, number][] = [];
  ordered.forEach((item, index) => {
    if (item.position !== index) writes.push([item.id, index]);
  });
  return writes;
}

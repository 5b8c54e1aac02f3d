// Glide asks for every visible cell on every frame it draws (scrolling, hovering): building a cell
// formats the value (numbers, dates, chips), so built cells are kept per record object and column.
// A record changes by being replaced with a new object (edits, live events, reloads), which leaves its
// old cells behind to be collected; a change of columns, role or people starts a new cache.
export class CellCache<C> {
  private readonly cells = new WeakMap<object, (C | undefined)[]>();

  get(record: object, col: number, build: () => C): C {
    let row = this.cells.get(record);
    if (!row) {
      row = [];
      this.cells.set(record, row);
    }
    let cell = row[col];
    if (cell === undefined) {
      cell = build();
      row[col] = cell;
    }
    return cell;
  }
}

import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { HistoryTimeline } from "@/features/records/components/history-timeline";
import { describeValue, timeline, type HistoryPage } from "@/features/records/lib/history";

const page: HistoryPage = {
  record_id: "recA",
  created_at: "2026-01-01T10:00:00Z",
  created_by: "usrAda",
  next_before: null,
  entries: [
    {
      id: 3,
      action: "updated",
      actor_id: "usrBob",
      at: "2026-01-02T10:00:00Z",
      changes: {
        fldQty: { field_name: "Qty", from: 2, to: 5 },
        fldStatus: { field_name: "Status", from: null, to: "Released" },
      },
    },
    {
      id: 2,
      action: "updated",
      actor_id: "usrGone",
      at: "2026-01-01T11:00:00Z",
      changes: { fldTags: { field_name: "Tags", from: ["a", "b"], to: [] } },
    },
    { id: 1, action: "deleted", actor_id: null, at: "2026-01-01T10:30:00Z", changes: {} },
  ],
};

const people = new Map([
  ["usrAda", "Ada"],
  ["usrBob", "Bob"],
]);

describe("history", () => {
  it("describes values in words", () => {
    expect(describeValue(null)).toBe("(empty)");
    expect(describeValue([])).toBe("(empty)");
    expect(describeValue(true)).toBe("checked");
    expect(describeValue([{ id: "att1", filename: "part.dxf" }, { id: "recX", name: "Bracket" }])).toBe("part.dxf, Bracket");
    expect(describeValue({ truncated: true, preview: "long text" })).toBe("long text…");
  });

  it("turns entries into who changed what, names when known", () => {
    const items = timeline(page, people);
    expect(items.map((i) => [i.who, i.summary])).toEqual([
      ["Bob", "changed Qty, Status"],
      ["usrGone", "changed Tags"],
      ["Someone", "deleted the record"],
    ]);
    expect(items[0]?.changes).toEqual([
      { fieldId: "fldQty", field: "Qty", from: "2", to: "5" },
      { fieldId: "fldStatus", field: "Status", from: "(empty)", to: "Released" },
    ]);
  });

  it("renders each change from -> to, newest first, ending with the creation", () => {
    render(<HistoryTimeline page={page} people={people} />);
    const entries = screen.getAllByTestId("history-entry");
    expect(entries).toHaveLength(3);
    const first = within(entries[0] as HTMLElement);
    expect(first.getByText("Bob")).toBeInTheDocument();
    expect(first.getByText("Qty")).toBeInTheDocument();
    expect(first.getByText("2").tagName).toBe("DEL");
    expect(first.getByText("5").tagName).toBe("INS");
    expect(first.getByText("Released").tagName).toBe("INS");
    expect(screen.getByTestId("history-created")).toHaveTextContent("Ada created the record");
  });
});

import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { FilterBuilder } from "@/features/views/components/filter-builder";
import { emptyGroup, fromApiFilter, toApiFilter, type FilterGroup } from "@/features/views/lib/filter-tree";
import { catalog, fields } from "@/features/views/lib/test-fixtures";

function Harness({ initial, seen }: { initial?: FilterGroup; seen: { last: unknown } }) {
  const [tree, setTree] = useState<FilterGroup>(initial ?? emptyGroup());
  return (
    <FilterBuilder
      fields={fields}
      catalog={catalog}
      value={tree}
      onChange={(next) => {
        seen.last = toApiFilter(next);
        setTree(next);
      }}
    />
  );
}

const options = (select: HTMLElement) => within(select).getAllByRole("option").map((o) => o.textContent);

describe("FilterBuilder", () => {
  it("builds a condition with the field type's operators and value input", async () => {
    const seen = { last: null as unknown };
    render(<Harness seen={seen} />);
    expect(screen.getByText(/No filters/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Add condition" }));
    const row = screen.getByTestId("filter-condition");
    // A text field first: text operators.
    expect(options(within(row).getByLabelText("Operator"))).toEqual([
      "is", "is not", "contains", "does not contain", "starts with", "is empty", "is not empty", "is any of", "is none of",
    ]);
    await userEvent.selectOptions(within(row).getByLabelText("Field"), "Qty");
    const ops = options(within(row).getByLabelText("Operator"));
    expect(ops).toContain("<");
    expect(ops).not.toContain("contains");
    await userEvent.selectOptions(within(row).getByLabelText("Operator"), ">");
    const input = within(row).getByLabelText("Value");
    expect(input).toHaveAttribute("type", "number");
    await userEvent.type(input, "12");
    expect(seen.last).toEqual({ and: [{ field: "fldQty", op: ">", value: 12 }] });
  });

  it("offers the select's options, dates by mode, and no value for is empty", async () => {
    const seen = { last: null as unknown };
    render(<Harness seen={seen} />);
    await userEvent.click(screen.getByRole("button", { name: "Add condition" }));
    const row = screen.getByTestId("filter-condition");
    await userEvent.selectOptions(within(row).getByLabelText("Field"), "Status");
    expect(options(within(row).getByLabelText("Value"))).toEqual(["Choose an option", "Open", "Closed"]);
    await userEvent.selectOptions(within(row).getByLabelText("Value"), "Closed");
    expect(seen.last).toEqual({ and: [{ field: "fldStatus", op: "is", value: "Closed" }] });

    await userEvent.selectOptions(within(row).getByLabelText("Field"), "Due");
    expect(options(within(row).getByLabelText("Operator"))).toContain("is within");
    await userEvent.selectOptions(within(row).getByLabelText("Date"), "exact_date");
    expect(seen.last).toBeNull(); // an exact date without the date is not saved yet
    await userEvent.type(within(row).getByLabelText("Exact date"), "2026-03-31");
    expect(seen.last).toEqual({ and: [{ field: "fldDue", op: "is", value: { mode: "exact_date", date: "2026-03-31" } }] });

    await userEvent.selectOptions(within(row).getByLabelText("Operator"), "is empty");
    expect(within(row).queryByLabelText("Date")).toBeNull();
    expect(seen.last).toEqual({ and: [{ field: "fldDue", op: "is_empty" }] });
  });

  it("nests groups and switches between and / or", async () => {
    const seen = { last: null as unknown };
    render(<Harness seen={seen} initial={fromApiFilter({ and: [{ field: "fldDone", op: "is", value: true }] })} />);
    await userEvent.click(screen.getByRole("button", { name: "Add condition group" }));
    const group = screen.getByRole("group", { name: "Condition group" });
    await userEvent.selectOptions(within(group).getByLabelText("Field"), "Qty");
    await userEvent.selectOptions(within(group).getByLabelText("Operator"), "is empty");
    await userEvent.click(within(group).getByRole("button", { name: "Add condition to group" }));
    const rows = within(group).getAllByTestId("filter-condition");
    await userEvent.type(within(rows[1]!).getByLabelText("Value"), "bolt");
    expect(seen.last).toEqual({
      and: [
        { field: "fldDone", op: "is", value: true },
        { or: [{ field: "fldQty", op: "is_empty" }, { field: "fldName", op: "is", value: "bolt" }] },
      ],
    });
    await userEvent.selectOptions(screen.getAllByLabelText("Combine conditions with")[0]!, "or");
    expect(seen.last).toMatchObject({ or: [{ field: "fldDone" }, { or: expect.any(Array) }] });
    await userEvent.click(within(group).getAllByRole("button", { name: "Remove condition" })[0]!);
    await userEvent.click(screen.getByRole("button", { name: "Remove condition group" }));
    expect(seen.last).toEqual({ or: [{ field: "fldDone", op: "is", value: true }] });
  });

  it("negates a condition and a group with their not toggles", async () => {
    const seen = { last: null as unknown };
    render(
      <Harness
        seen={seen}
        initial={fromApiFilter({ and: [{ field: "fldName", op: "is", value: "bolt" }, { or: [{ field: "fldQty", op: "=", value: 3 }] }] })}
      />,
    );
    const [conditionNot] = screen.getAllByRole("button", { name: "Negate condition" });
    await userEvent.click(conditionNot!);
    expect(conditionNot).toHaveAttribute("aria-pressed", "true");
    expect(seen.last).toEqual({ and: [{ not: { field: "fldName", op: "is", value: "bolt" } }, { or: [{ field: "fldQty", op: "=", value: 3 }] }] });
    await userEvent.click(screen.getByRole("button", { name: "Negate condition group" }));
    expect(screen.getByTestId("group-summary")).toHaveTextContent("None of the following is true");
    expect(seen.last).toEqual({ and: [{ not: { field: "fldName", op: "is", value: "bolt" } }, { not: { or: [{ field: "fldQty", op: "=", value: 3 }] } }] });
    await userEvent.click(conditionNot!);
    expect(seen.last).toEqual({ and: [{ field: "fldName", op: "is", value: "bolt" }, { not: { or: [{ field: "fldQty", op: "=", value: 3 }] } }] });
  });

  it("shows a saved not node as a pressed toggle", () => {
    render(<Harness seen={{ last: null }} initial={fromApiFilter({ not: { field: "fldName", op: "is", value: "x" } })} />);
    expect(screen.getByRole("button", { name: "Negate condition" })).toHaveAttribute("aria-pressed", "true");
  });
});

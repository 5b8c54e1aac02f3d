import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { SelectPicker } from "@/features/grid/components/cell-editors";
import type { FieldDef } from "@/types/api";

function selectField(type: "single_select" | "multiple_select"): FieldDef {
  return {
    id: "fldStatus",
    table_id: "tbl",
    name: "Status",
    type,
    options: {
      choices: [
        { id: "sel1", name: "Todo", color: "blue" },
        { id: "sel2", name: "Done", color: "green" },
      ],
    },
    description: null,
    position: 1,
    read_only: false,
  };
}

describe("SelectPicker", () => {
  it("picks an option of a single select and finishes", async () => {
    const onChange = vi.fn();
    const onDone = vi.fn();
    render(<SelectPicker field={selectField("single_select")} value="Todo" onChange={onChange} onDone={onDone} />);
    await userEvent.click(screen.getByRole("option", { name: /Done/ }));
    expect(onChange).toHaveBeenCalledWith("Done");
    expect(onDone).toHaveBeenCalled();
  });

  it("offers to create a new option from what was typed (the write's typecast adds it)", async () => {
    const onChange = vi.fn();
    render(<SelectPicker field={selectField("single_select")} value={null} onChange={onChange} />);
    await userEvent.type(screen.getByPlaceholderText("Find or create an option"), "Urgent");
    await userEvent.click(screen.getByRole("option", { name: /Create option “Urgent”/ }));
    expect(onChange).toHaveBeenCalledWith("Urgent");
  });

  it("does not offer to create an existing option, whatever its case", async () => {
    render(<SelectPicker field={selectField("single_select")} value={null} onChange={() => undefined} />);
    await userEvent.type(screen.getByPlaceholderText("Find or create an option"), "done");
    expect(screen.queryByRole("option", { name: /Create option/ })).toBeNull();
  });

  it("toggles options of a multiple select", async () => {
    const onChange = vi.fn();
    render(<SelectPicker field={selectField("multiple_select")} value={["Todo"]} onChange={onChange} onDone={() => undefined} />);
    await userEvent.click(screen.getByRole("option", { name: /Done/ }));
    expect(onChange).toHaveBeenLastCalledWith(["Todo", "Done"]);
    await userEvent.click(screen.getByRole("option", { name: /Todo/ }));
    expect(onChange).toHaveBeenLastCalledWith(null);
  });
});

import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";

import { FormulaEditor, type FormulaCheck } from "@/features/fields/components/formula-editor";

function Harness({ validate }: { validate?: (formula: string) => Promise<FormulaCheck> }) {
  const [value, setValue] = useState("");
  return (
    <FormulaEditor
      value={value}
      onChange={setValue}
      fieldNames={["Price", "Quantity", "Unit price"]}
      functions={[{ name: "ROUND", min_args: 1, max_args: 2, description: "Rounds a number." }, { name: "SUM" }]}
      {...(validate ? { validate } : {})}
      delayMs={10}
    />
  );
}

describe("FormulaEditor", () => {
  it("completes {Field name} as you type and inserts it with Enter", async () => {
    render(<Harness />);
    const box = screen.getByRole("combobox", { name: "Formula" });
    await userEvent.type(box, "{{pr");
    const options = screen.getAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["{Price}field", "{Unit price}field"]);
    await userEvent.keyboard("{ArrowDown}{Enter}");
    expect(box).toHaveValue("{Unit price}");
    expect(screen.queryByRole("listbox")).toBeNull();
    // Typing goes on after the insertion.
    await userEvent.keyboard(" * 2");
    expect(box).toHaveValue("{Unit price} * 2");
  });

  it("completes function names and closes on Escape", async () => {
    render(<Harness />);
    const box = screen.getByRole("combobox", { name: "Formula" });
    await userEvent.type(box, "ro");
    expect(screen.getByRole("option", { name: /ROUND/ })).toHaveTextContent("Rounds a number.");
    await userEvent.keyboard("{Tab}");
    expect(box).toHaveValue("ROUND(");
    await userEvent.type(box, "s");
    expect(screen.getByRole("listbox")).toBeInTheDocument();
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("listbox")).toBeNull();
  });

  it("shows the server's error live, and the result type once valid", async () => {
    const validate = vi.fn(async (formula: string): Promise<FormulaCheck> =>
      formula.includes("Nope") ? { ok: false, message: "Unknown field {Nope} at position 1" } : { ok: true, resultType: "number" },
    );
    render(<Harness validate={validate} />);
    const box = screen.getByRole("combobox", { name: "Formula" });
    await userEvent.type(box, "{{Nope}");
    await userEvent.keyboard("{Escape}");
    expect(await screen.findByRole("alert")).toHaveTextContent("Unknown field {Nope} at position 1");
    expect(box).toHaveAttribute("aria-invalid", "true");
    await userEvent.clear(box);
    await userEvent.type(box, "1 + 2");
    await waitFor(() => expect(screen.getByTestId("formula-ok")).toHaveTextContent("Valid formula: gives a number"));
    expect(screen.queryByRole("alert")).toBeNull();
    expect(validate).toHaveBeenLastCalledWith("1 + 2");
  });
});

import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { FieldOptionsForm } from "@/features/fields/components/field-options-form";
import { cleanOptions, defaultOptions, optionsProblem } from "@/features/fields/lib/field-types";
import { queryKeys } from "@/lib/query-keys";
import { renderWithProviders, testQueryClient } from "@/testing/render";
import type { FieldDef } from "@/types/api";

const f = (id: string, name: string, type: string, options: Record<string, unknown> = {}): FieldDef => ({
  id, table_id: "tblA", name, type, options, description: null, position: 0, read_only: false,
});

function Harness({ type, fields = [], seen, baseId }: { type: string; fields?: FieldDef[]; seen: { options: Record<string, unknown> }; baseId?: string }) {
  const [options, setOptions] = useState<Record<string, unknown>>(defaultOptions(type));
  seen.options = options;
  return <FieldOptionsForm type={type} options={options} onChange={setOptions} fields={fields} baseId={baseId} />;
}

describe("FieldOptionsForm", () => {
  it("currency: symbol and decimal places", async () => {
    const seen = { options: {} };
    renderWithProviders(<Harness type="currency" seen={seen} />);
    const symbol = screen.getByLabelText("Currency symbol");
    expect(symbol).toHaveValue("$");
    await userEvent.clear(symbol);
    await userEvent.type(symbol, "€");
    await userEvent.selectOptions(screen.getByLabelText("Decimal places"), "1.000");
    expect(seen.options).toEqual({ precision: 3, symbol: "€" });
    expect(optionsProblem("currency", { symbol: "" })).toMatch(/1 to 5 characters/);
  });

  it("select: options with colours, checked for empty and repeated names", async () => {
    const seen = { options: {} as Record<string, unknown> };
    renderWithProviders(<Harness type="single_select" seen={seen} />);
    await userEvent.click(screen.getByRole("button", { name: "Add option" }));
    await userEvent.click(screen.getByRole("button", { name: "Add option" }));
    expect(optionsProblem("single_select", seen.options)).toBe("Every option needs a name.");
    await userEvent.type(screen.getByLabelText("Option 1 name"), "Open ");
    await userEvent.type(screen.getByLabelText("Option 2 name"), "Open");
    expect(optionsProblem("single_select", seen.options)).toBe('"Open" is listed twice.');
    await userEvent.clear(screen.getByLabelText("Option 2 name"));
    await userEvent.type(screen.getByLabelText("Option 2 name"), "Closed");
    await userEvent.selectOptions(screen.getByLabelText("Option 2 colour"), "dark red");
    expect(optionsProblem("single_select", seen.options)).toBeNull();
    expect(cleanOptions("single_select", seen.options)).toEqual({
      choices: [
        { name: "Open", color: "blue" },
        { name: "Closed", color: "dark_red" },
      ],
    });
    await userEvent.click(screen.getByRole("button", { name: "Remove option 1" }));
    expect(seen.options).toEqual({ choices: [{ name: "Closed", color: "dark_red" }] });
  });

  it("date: format and time zone; rating: maximum; dimension: unit", async () => {
    const seen = { options: {} as Record<string, unknown> };
    const { unmount } = renderWithProviders(<Harness type="date" seen={seen} />);
    await userEvent.selectOptions(screen.getByLabelText("Date format"), "european");
    await userEvent.selectOptions(screen.getByLabelText("Time zone"), "UTC");
    expect(seen.options).toEqual({ format: "european", timezone: "UTC" });
    unmount();
    const rating = renderWithProviders(<Harness type="rating" seen={seen} />);
    await userEvent.selectOptions(screen.getByLabelText("Maximum"), "10");
    expect(seen.options).toEqual({ max: 10 });
    rating.unmount();
    renderWithProviders(<Harness type="dimension" seen={seen} />);
    expect(within(screen.getByLabelText("Unit")).getAllByRole("option").map((o) => o.textContent)).toEqual(["mm", "cm", "m", "um", "in", "ft"]);
    await userEvent.selectOptions(screen.getByLabelText("Unit"), "in");
    expect(seen.options).toEqual({ unit: "in" });
  });

  it("link: a table of the base, one or several records", async () => {
    const queryClient = testQueryClient();
    queryClient.setQueryData(queryKeys.tables("appA"), [
      { id: "tblA", name: "Parts" },
      { id: "tblB", name: "Suppliers" },
    ]);
    const seen = { options: {} as Record<string, unknown> };
    renderWithProviders(<Harness type="link" seen={seen} baseId="appA" />, { queryClient });
    expect(optionsProblem("link", seen.options)).toBe("Choose the table to link to.");
    await userEvent.selectOptions(screen.getByLabelText("Link to table"), "Suppliers");
    await userEvent.selectOptions(screen.getByLabelText("Records per cell"), "One record");
    expect(seen.options).toEqual({ single: true, create_inverse: true, linked_table_id: "tblB" });
    expect(optionsProblem("link", seen.options)).toBeNull();
  });

  it("rollup: link field, field of the linked table and aggregation", async () => {
    const queryClient = testQueryClient();
    queryClient.setQueryData(queryKeys.fields("tblB"), [f("fldCost", "Cost", "currency"), f("fldCity", "City", "single_line_text")]);
    const fields = [f("fldName", "Name", "single_line_text"), f("fldSup", "Supplier", "link", { linked_table_id: "tblB" })];
    const seen = { options: {} as Record<string, unknown> };
    renderWithProviders(<Harness type="rollup" fields={fields} seen={seen} />, { queryClient });
    expect(within(screen.getByLabelText("Link field")).getAllByRole("option").map((o) => o.textContent)).toEqual(["Choose a link field", "Supplier"]);
    expect(optionsProblem("rollup", seen.options)).toBe("Choose a link field.");
    await userEvent.selectOptions(screen.getByLabelText("Link field"), "Supplier");
    await userEvent.selectOptions(screen.getByLabelText("Field of the linked table"), "Cost");
    await userEvent.selectOptions(screen.getByLabelText("Aggregation"), "MAX");
    expect(seen.options).toEqual({ function: "MAX", link_field_id: "fldSup", field_id: "fldCost" });
    expect(optionsProblem("rollup", seen.options)).toBeNull();
    await userEvent.selectOptions(screen.getByLabelText("Aggregation"), "A formula over values…");
    expect(seen.options).toEqual({ link_field_id: "fldSup", field_id: "fldCost", formula: "SUM(values)" });
    expect(screen.getByRole("combobox", { name: /Rollup formula/ })).toHaveValue("SUM(values)");
  });

  it("lookup and count without a link field say what to add first", () => {
    renderWithProviders(<Harness type="lookup" fields={[f("fldName", "Name", "single_line_text")]} seen={{ options: {} }} />);
    expect(screen.getByText(/no link field yet/)).toBeInTheDocument();
  });

  it("formula: the editor, with the table's fields to complete", async () => {
    const seen = { options: {} as Record<string, unknown> };
    renderWithProviders(<Harness type="formula" fields={[f("fldQty", "Qty", "number")]} seen={seen} />);
    await userEvent.type(screen.getByRole("combobox", { name: "Formula" }), "{{q");
    await userEvent.keyboard("{Enter}");
    expect(seen.options).toEqual({ formula: "{Qty}" });
    expect(optionsProblem("formula", { formula: " " })).toBe("Write a formula.");
  });

  it("button: a label and a URL formula completing the table's fields", async () => {
    const seen = { options: {} as Record<string, unknown> };
    renderWithProviders(<Harness type="button" fields={[f("fldPart", "Part No", "single_line_text")]} seen={seen} />);
    const label = screen.getByLabelText("Label");
    expect(label).toHaveValue("Open");
    await userEvent.clear(label);
    await userEvent.type(label, "Order");
    await userEvent.type(screen.getByRole("combobox", { name: /URL formula/ }), "'https://shop.example/' & {{par");
    await userEvent.keyboard("{Enter}");
    expect(seen.options).toEqual({ label: "Order", url_formula: "'https://shop.example/' & {Part No}" });
    expect(optionsProblem("button", { label: " " })).toMatch(/needs a label/);
    expect(optionsProblem("button", { label: "Go" })).toBeNull();
    // Without a URL formula the button is created disabled: nothing empty is sent.
    expect(cleanOptions("button", { label: "Go", url_formula: "" })).toEqual({ label: "Go" });
  });
});

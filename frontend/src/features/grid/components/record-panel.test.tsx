import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import RecordPanel from "@/features/grid/components/record-panel";
import { sessionStore } from "@/lib/session";
import { fieldDef } from "@/testing/factories";
import { fakeFetch, renderWithProviders } from "@/testing/render";
import type { RecordRow } from "@/types/api";

const fields = [fieldDef("fldName", "Name", "single_line_text"), fieldDef("fldBore", "Bore", "dimension", { options: { unit: "mm" } })];
const record: RecordRow = {
  id: "recShaft",
  version: 2,
  created_at: "",
  updated_at: "",
  fields: { fldName: "Shaft", fldBore: { value: 10, unit: "mm", display: "10 mm" } },
};

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usrAda", email: "ada@example.com", name: "Ada" });
  vi.stubGlobal("fetch", fakeFetch([{ method: "GET", path: "/tables/tblParts/records/recShaft", body: record }]).fetch);
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

function open() {
  const onEdit = vi.fn(async () => undefined);
  renderWithProviders(
    <RecordPanel tableId="tblParts" record={record} fields={fields} canEdit onClose={() => undefined} onEdit={onEdit} onRecord={() => undefined} />,
  );
  return { onEdit, bore: screen.getByLabelText("Bore") };
}

describe("the grid's expanded record", () => {
  it("reads a dimension as it is typed and saves text that reads", async () => {
    const { onEdit, bore } = open();
    expect(bore).toHaveValue("10 mm");
    expect(screen.queryByTestId("structured-reading")).toBeNull();
    await userEvent.clear(bore);
    await userEvent.type(bore, "10.5 +0.2/-0.1");
    expect(screen.getByTestId("structured-reading")).toHaveTextContent("Reads as 10.5 +0.2/-0.1 mm");
    await userEvent.keyboard("{Enter}");
    expect(onEdit).toHaveBeenCalledWith(expect.objectContaining({ id: "recShaft" }), fields[1], "10.5 +0.2/-0.1");
  });

  it("shows why typed text does not read and does not send it", async () => {
    const { onEdit, bore } = open();
    await userEvent.clear(bore);
    await userEvent.type(bore, "10.5 mm ± 0.1 in");
    expect(screen.getByRole("alert")).toHaveTextContent("A dimension and its tolerance must use the same unit.");
    expect(bore).toHaveAttribute("aria-invalid", "true");
    await userEvent.keyboard("{Enter}");
    await userEvent.tab();
    expect(onEdit).not.toHaveBeenCalled();
    expect(bore).toHaveValue("10.5 mm ± 0.1 in");
    expect(screen.getByRole("alert")).toHaveTextContent("must use the same unit");
  });
});

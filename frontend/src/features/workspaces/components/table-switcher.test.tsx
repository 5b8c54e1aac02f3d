import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Route, Routes, useLocation } from "react-router-dom";

import { TableSwitcher } from "@/features/workspaces/components/table-switcher";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders } from "@/testing/render";

const at = "2026-01-01T00:00:00Z";
const tableOf = (id: string, name: string, baseId: string) => ({
  id,
  name,
  base_id: baseId,
  role: "owner",
  created_at: at,
  description: null,
  position: 0,
  primary_field_id: null,
});

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

function Where() {
  return <p data-testid="where">{useLocation().pathname}</p>;
}

describe("TableSwitcher", () => {
  it("opens with Ctrl+K, filters tables of every base and goes to the chosen one", async () => {
    const server = fakeFetch([
      { method: "GET", path: "/workspaces", body: [{ id: "wspA", name: "Shop", role: "owner", created_at: at }] },
      {
        method: "GET",
        path: "/workspaces/wspA/bases",
        body: [
          { id: "appA", name: "Fixtures", workspace_id: "wspA", role: "owner", created_at: at },
          { id: "appB", name: "Purchasing", workspace_id: "wspA", role: "owner", created_at: at },
        ],
      },
      { method: "GET", path: "/bases/appA/tables", body: [tableOf("tblParts", "Parts", "appA"), tableOf("tblJigs", "Jigs", "appA")] },
      { method: "GET", path: "/bases/appB/tables", body: [tableOf("tblVendors", "Vendors", "appB")] },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(
      <Routes>
        <Route
          path="*"
          element={
            <>
              <TableSwitcher />
              <Where />
            </>
          }
        />
      </Routes>,
    );
    // Nothing is fetched until the palette opens.
    expect(server.calls).toHaveLength(0);
    await userEvent.keyboard("{Control>}k{/Control}");
    const dialog = await screen.findByRole("dialog");
    expect(await within(dialog).findByText("Vendors")).toBeInTheDocument();
    await userEvent.type(within(dialog).getByRole("combobox"), "purch");
    expect(within(dialog).queryByText("Parts")).not.toBeInTheDocument();
    await userEvent.keyboard("{Enter}");
    expect(screen.getByTestId("where")).toHaveTextContent("/b/appB/t/tblVendors");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });
});

import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Route, Routes, useLocation } from "react-router-dom";

import { CommandPalette } from "@/app/command-palette";
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
  primary_field_id: "fldName",
});
const hit = {
  table_id: "tblParts",
  table_name: "Parts",
  record_id: "recFlange",
  title: "Flange adapter",
  score: 0.6,
  matches: [
    {
      field_id: "fldNotes",
      field_name: "Notes",
      snippet: [
        { text: "stainless ", match: false },
        { text: "flange", match: true },
        { text: ", 4 bolts", match: false },
      ],
    },
  ],
};

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

function Where() {
  const location = useLocation();
  return <p data-testid="where">{location.pathname + location.search}</p>;
}

function routes() {
  return fakeFetch([
    { method: "GET", path: "/workspaces", body: [{ id: "wspA", name: "Shop", role: "owner", created_at: at }] },
    { method: "GET", path: "/workspaces/wspA/bases", body: [{ id: "appA", name: "Fixtures", workspace_id: "wspA", role: "owner", created_at: at }] },
    { method: "GET", path: "/bases/appA/tables", body: [tableOf("tblParts", "Parts", "appA"), tableOf("tblFlanges", "Flange specs", "appA")] },
    {
      method: "GET",
      path: "/bases/appA/search",
      body: { query: "flange", results: [hit], offset: 0, next_offset: null, typo_corrected: false },
    },
    {
      method: "GET",
      path: "/tables/tblParts/records/recFlange",
      body: { id: "recFlange", fields: { Name: "Flange adapter", Notes: "stainless flange, 4 bolts" }, version: 1 },
    },
  ]);
}

function renderAt(route: string) {
  return renderWithProviders(
    <Routes>
      <Route
        path="*"
        element={
          <>
            <CommandPalette />
            <Where />
          </>
        }
      />
    </Routes>,
    { route },
  );
}

describe("CommandPalette", () => {
  it("shows tables and the base's records in one palette and opens the chosen record", async () => {
    const server = routes();
    vi.stubGlobal("fetch", server.fetch);
    renderAt("/b/appA/t/tblFlanges");
    await userEvent.keyboard("{Control>}k{/Control}");
    const dialog = await screen.findByRole("dialog");
    await userEvent.type(within(dialog).getByRole("combobox"), "flange");
    // The table whose name matches, and the record the server found (with its highlighted snippet).
    expect(await within(dialog).findByText("Flange specs")).toBeInTheDocument();
    const record = await within(dialog).findByText("Flange adapter");
    expect(within(dialog).getByText("flange", { selector: "mark" })).toBeInTheDocument();
    const search = server.calls.find((c) => c.path === "/bases/appA/search");
    expect(search).toBeDefined();
    await userEvent.click(record);
    // The record opens over its table in the record panel (RecordPanelFromUrl, tested on its own).
    expect(screen.getByTestId("where")).toHaveTextContent("/b/appA/t/tblParts?open=recFlange");
  });

  it("still shows the quick read-only dialog for a ?record= link", async () => {
    vi.stubGlobal("fetch", routes().fetch);
    renderAt("/b/appA/t/tblParts?record=recFlange");
    const opened = await screen.findByRole("dialog", { name: "Flange adapter" });
    expect(await within(opened).findByText("stainless flange, 4 bolts")).toBeInTheDocument();
    await userEvent.keyboard("{Escape}");
    expect(screen.getByTestId("where")).toHaveTextContent(/^\/b\/appA\/t\/tblParts$/);
  });

  it("outside a base it only goes to tables (no record search)", async () => {
    const server = routes();
    vi.stubGlobal("fetch", server.fetch);
    renderAt("/");
    await userEvent.keyboard("{Control>}k{/Control}");
    const dialog = await screen.findByRole("dialog");
    await userEvent.type(within(dialog).getByRole("combobox"), "parts");
    expect(await within(dialog).findByText("Parts")).toBeInTheDocument();
    expect(server.calls.some((c) => c.path.endsWith("/search"))).toBe(false);
  });
});

import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { SidebarTree } from "@/features/workspaces/components/sidebar-tree";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders } from "@/testing/render";

const at = "2026-01-01T00:00:00Z";
const workspace = { id: "wspAAAAAAAAAAAAAA", name: "Shop", role: "owner", created_at: at };
const base = { id: "appAAAAAAAAAAAAAA", name: "Fixtures", workspace_id: workspace.id, role: "owner", created_at: at };
const table = {
  id: "tblAAAAAAAAAAAAAA",
  name: "Parts",
  base_id: base.id,
  role: "viewer",
  created_at: at,
  description: null,
  position: 0,
  primary_field_id: null,
};

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

function routes(extra: Parameters<typeof fakeFetch>[0] = []) {
  return fakeFetch([
    { method: "GET", path: "/workspaces", body: [workspace] },
    { method: "GET", path: `/workspaces/${workspace.id}/bases`, body: [base] },
    { method: "GET", path: `/bases/${base.id}/tables`, body: [table] },
    ...extra,
  ]);
}

describe("SidebarTree", () => {
  it("shows workspaces, bases and tables, linking tables to their route", async () => {
    vi.stubGlobal("fetch", routes().fetch);
    renderWithProviders(<SidebarTree />);
    const link = await screen.findByRole("link", { name: "Parts" });
    expect(link).toHaveAttribute("href", `/b/${base.id}/t/${table.id}`);
    await userEvent.click(screen.getByRole("button", { name: "Fixtures" }));
    expect(screen.queryByRole("link", { name: "Parts" })).not.toBeInTheDocument();
  });

  it("disables what the role does not allow", async () => {
    vi.stubGlobal("fetch", routes().fetch);
    renderWithProviders(<SidebarTree />);
    await userEvent.click(await screen.findByRole("button", { name: "Table Parts actions" }));
    const menu = await screen.findByRole("menu");
    expect(within(menu).getByRole("menuitem", { name: "Delete table" })).toHaveAttribute("aria-disabled", "true");
    expect(within(menu).getByRole("menuitem", { name: "Who has access" })).not.toHaveAttribute("aria-disabled");
  });

  it("deletes a workspace only after its name is typed", async () => {
    const server = routes([{ method: "DELETE", path: `/workspaces/${workspace.id}`, status: 204 }]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<SidebarTree />);
    await userEvent.click(await screen.findByRole("button", { name: "Workspace Shop actions" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Delete workspace" }));
    const confirm = await screen.findByRole("alertdialog");
    const button = within(confirm).getByRole("button", { name: "Delete workspace" });
    expect(button).toBeDisabled();
    await userEvent.type(within(confirm).getByLabelText(/to confirm/), "Sho");
    expect(button).toBeDisabled();
    await userEvent.type(within(confirm).getByLabelText(/to confirm/), "p");
    await userEvent.click(button);
    await waitFor(() => expect(server.calls.some((c) => c.method === "DELETE")).toBe(true));
  });

  it("creates a workspace and shows a server error inline", async () => {
    const server = routes([
      {
        method: "POST",
        path: "/workspaces",
        status: 422,
        body: { error: { code: "validation_failed", message: "The request is not valid.", details: [{ loc: ["body", "name"], message: "too long" }] } },
      },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<SidebarTree />);
    await userEvent.click(await screen.findByRole("button", { name: "New workspace" }));
    const dialog = await screen.findByRole("dialog");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create workspace" }));
    expect(within(dialog).getByText("Enter a workspace name.")).toBeInTheDocument();
    await userEvent.type(within(dialog).getByLabelText("Workspace name"), "Lab");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create workspace" }));
    expect(await within(dialog).findByText("The request is not valid: name: too long")).toBeInTheDocument();
    expect(server.calls.find((c) => c.method === "POST")?.body).toEqual({ name: "Lab" });
  });
});

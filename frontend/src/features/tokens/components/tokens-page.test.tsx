import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { TokensPage } from "@/features/tokens/components/tokens-page";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders } from "@/testing/render";

const token = {
  id: "tokAAAAAAAAAAAAAA",
  name: "CI export",
  scope: "read",
  base_ids: null,
  created_at: "2026-11-01T10:00:00Z",
  expires_at: null,
  last_used_at: null,
};

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

describe("TokensPage", () => {
  it("creates a token limited to a base and shows its secret only once", async () => {
    const server = fakeFetch([
      { method: "GET", path: "/api-tokens", body: [] },
      { method: "GET", path: "/workspaces", body: [{ id: "wspA", name: "Shop", role: "owner", created_at: "2026-01-01T00:00:00Z" }] },
      {
        method: "GET",
        path: "/workspaces/wspA/bases",
        body: [{ id: "appA", name: "Fixtures", workspace_id: "wspA", role: "owner", created_at: "2026-01-01T00:00:00Z" }],
      },
      { method: "POST", path: "/api-tokens", status: 201, body: { ...token, base_ids: ["appA"], token: "pat_secret_123" } },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<TokensPage />);
    expect(await screen.findByText("No tokens yet.")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "New token" }));
    const dialog = await screen.findByRole("dialog");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create token" }));
    expect(within(dialog).getByText(/Name the token/)).toBeInTheDocument();

    await userEvent.type(within(dialog).getByLabelText("Name"), "CI export");
    await userEvent.click(within(dialog).getByRole("checkbox", { name: /Only some bases/ }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Create token" }));
    expect(within(dialog).getByText(/Pick at least one base/)).toBeInTheDocument();
    await userEvent.click(await within(dialog).findByRole("checkbox", { name: /Fixtures/ }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Create token" }));

    expect(await screen.findByLabelText("Token secret")).toHaveValue("pat_secret_123");
    expect(server.calls.find((c) => c.method === "POST")?.body).toEqual({
      name: "CI export",
      scope: "read",
      base_ids: ["appA"],
      expires_in_days: null,
    });

    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    await userEvent.click(screen.getByRole("button", { name: "New token" }));
    expect(await screen.findByRole("dialog")).toBeInTheDocument();
    expect(screen.queryByDisplayValue("pat_secret_123")).not.toBeInTheDocument();
  });

  it("revokes after confirmation", async () => {
    const server = fakeFetch([
      { method: "GET", path: "/api-tokens", body: [token] },
      { method: "DELETE", path: `/api-tokens/${token.id}`, status: 204 },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<TokensPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Revoke CI export" }));
    const confirm = await screen.findByRole("alertdialog");
    expect(server.calls.some((c) => c.method === "DELETE")).toBe(false);
    await userEvent.click(within(confirm).getByRole("button", { name: "Revoke token" }));
    await waitFor(() => expect(server.calls.some((c) => c.method === "DELETE" && c.path === `/api-tokens/${token.id}`)).toBe(true));
  });
});

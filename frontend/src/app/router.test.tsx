import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { AppRoutes } from "@/app/router";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders } from "@/testing/render";

vi.mock("@/features/grid/components/grid-view", () => ({ GridView: () => null }));

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

const user = { id: "usr2", email: "bob@example.com", name: "Bob", created_at: "2026-01-01T00:00:00Z" };

describe("AppRoutes", () => {
  it("sends a signed-out visitor of an invitation link through sign-up and back to the invitation", async () => {
    const server = fakeFetch([
      {
        method: "POST",
        path: "/auth/register",
        status: 201,
        body: { access_token: "a", refresh_token: "r", token_type: "bearer", expires_in: 900, user },
      },
      { method: "GET", path: "/workspaces", body: [] },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<AppRoutes />, { route: "/invite?token=inv_123" });
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("link", { name: "Create an account" }));
    await userEvent.type(await screen.findByLabelText("Name"), "Bob");
    await userEvent.type(screen.getByLabelText("Email"), "bob@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "correct horse");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("heading", { name: "Join a workspace" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Accept invitation" })).toBeEnabled();
  });
});

import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Route, Routes } from "react-router-dom";

import { AppLayout } from "@/app/layout";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders } from "@/testing/render";

const user = { id: "usr1", email: "ada@example.com", name: "Ada", created_at: "2026-01-01T00:00:00Z" };

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: user.id, email: user.email, name: user.name });
});

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

function Page() {
  return (
    <label>
      Draft
      <input />
    </label>
  );
}

describe("AppLayout session expiry", () => {
  it("asks to sign in again over the page and keeps what was typed", async () => {
    const server = fakeFetch([
      { method: "GET", path: "/workspaces", body: [] },
      {
        method: "POST",
        path: "/auth/login",
        body: { access_token: "a2", refresh_token: "r2", token_type: "bearer", expires_in: 900, user },
      },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(
      <Routes>
        <Route element={<AppLayout />}>
          <Route path="/" element={<Page />} />
        </Route>
      </Routes>,
    );
    await userEvent.type(screen.getByLabelText("Draft"), "half-written note");

    act(() => sessionStore.expire());
    const dialog = await screen.findByRole("dialog", { name: "Your session has ended" });
    expect(within(dialog).getByLabelText("Email")).toHaveValue("ada@example.com");

    await userEvent.type(within(dialog).getByLabelText("Password"), "correct horse");
    await userEvent.click(within(dialog).getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.getByLabelText("Draft")).toHaveValue("half-written note");
    expect(sessionStore.getState()).toMatchObject({ status: "active", session: { accessToken: "a2", refreshToken: "r2" } });
  });

  it("asks before leaving the page while a change is being saved", async () => {
    vi.stubGlobal("fetch", fakeFetch([{ method: "GET", path: "/workspaces", body: [] }]).fetch);
    const { queryClient } = renderWithProviders(
      <Routes>
        <Route element={<AppLayout />}>
          <Route path="/" element={<Page />} />
        </Route>
      </Routes>,
    );
    const leave = () => {
      const event = new Event("beforeunload", { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(leave()).toBe(false);
    let finish: () => void = () => undefined;
    const saving = queryClient.getMutationCache().build(queryClient, {
      mutationFn: () => new Promise<void>((resolve) => (finish = resolve)),
    });
    act(() => void saving.execute(undefined));
    await waitFor(() => expect(leave()).toBe(true));
    await act(async () => finish());
    await waitFor(() => expect(leave()).toBe(false));
  });
});

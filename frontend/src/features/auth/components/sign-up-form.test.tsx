import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { SignUpForm } from "@/features/auth/components/sign-up-form";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders } from "@/testing/render";

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

describe("SignUpForm", () => {
  it("shows every problem before sending anything", async () => {
    const server = fakeFetch([]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<SignUpForm />);
    await userEvent.type(screen.getByLabelText("Email"), "ada@");
    await userEvent.type(screen.getByLabelText("Password"), "short");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(screen.getByText("Enter your name.")).toBeInTheDocument();
    expect(screen.getByText(/valid email address/)).toBeInTheDocument();
    expect(screen.getByText("Use at least 8 characters.")).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(server.calls).toHaveLength(0);
  });

  it("puts a taken email on the email field", async () => {
    const server = fakeFetch([
      {
        method: "POST",
        path: "/auth/register",
        status: 409,
        body: { error: { code: "email_taken", message: "An account with this email already exists.", details: null } },
      },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<SignUpForm />);
    await userEvent.type(screen.getByLabelText("Name"), "Ada");
    await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "correct horse");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText(/already exists\. Sign in instead/)).toBeInTheDocument();
    expect(server.calls[0]).toMatchObject({ method: "POST", path: "/auth/register", body: { name: "Ada", email: "ada@example.com" } });
    // What was typed stays.
    expect(screen.getByLabelText("Name")).toHaveValue("Ada");
  });

  it("signs in on success", async () => {
    const onSuccess = vi.fn();
    const server = fakeFetch([
      {
        method: "POST",
        path: "/auth/register",
        status: 201,
        body: {
          access_token: "a",
          refresh_token: "r",
          token_type: "bearer",
          expires_in: 900,
          user: { id: "usr1", email: "ada@example.com", name: "Ada", created_at: "2026-01-01T00:00:00Z" },
        },
      },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<SignUpForm onSuccess={onSuccess} />);
    await userEvent.type(screen.getByLabelText("Name"), "Ada");
    await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "correct horse");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    await waitFor(() => expect(onSuccess).toHaveBeenCalled());
    expect(sessionStore.getState()).toMatchObject({ status: "active", session: { accessToken: "a", user: { name: "Ada" } } });
  });
});

import { useIsMutating, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { ChevronsUpDown, KeyRound, LogOut, UserRound } from "lucide-react";
import { Link, Outlet, useNavigate } from "react-router-dom";

import { CommandPalette } from "@/app/command-palette";
import { RecordPanelFromUrl } from "@/app/record-panel-from-url";
import { Avatar, AvatarFallback, initials } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { ScrollArea } from "@/components/ui/scroll-area";
import { signOut } from "@/features/auth/api/auth";
import { SignInForm } from "@/features/auth/components/sign-in-form";
import { SidebarTree } from "@/features/workspaces/components/sidebar-tree";
import { useConnectionStatus } from "@/hooks/use-realtime";
import { useSession } from "@/hooks/use-session";
import { sessionStore } from "@/lib/session";

function ConnectionDot() {
  const status = useConnectionStatus();
  const label = status === "open" ? "Live" : status === "reconnecting" || status === "connecting" ? "Reconnecting…" : "Offline";
  return (
    <span className="flex items-center gap-1.5 text-xs text-muted-foreground" role="status">
      <span
        aria-hidden="true"
        className={`h-2 w-2 rounded-full ${status === "open" ? "bg-green-600" : status === "closed" || status === "idle" ? "bg-gray-400" : "bg-amber-500"}`}
      />
      {label}
    </span>
  );
}

/** Shown over the page when the session cannot be refreshed; the page and its typed input stay. */
function ReSignInDialog() {
  const { status, session } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const previousUser = session?.user?.id;
  return (
    <Dialog open={status === "expired"}>
      <DialogContent hideClose onEscapeKeyDown={(e) => e.preventDefault()} onPointerDownOutside={(e) => e.preventDefault()}>
        <DialogHeader>
          <DialogTitle>Your session has ended</DialogTitle>
          <DialogDescription>Sign in again to continue where you left off. Nothing on this page is lost.</DialogDescription>
        </DialogHeader>
        <SignInForm
          defaultEmail={session?.user?.email ?? ""}
          onSuccess={() => {
            if (sessionStore.getState().session?.user?.id !== previousUser) {
              // Someone else signed in: nothing on this page is theirs.
              queryClient.clear();
              navigate("/", { replace: true });
              return;
            }
            // Reload what failed while the session was gone; typed input was never unmounted.
            void queryClient.refetchQueries({ type: "active", predicate: (query) => query.state.status === "error" });
          }}
        />
        <Button
          variant="link"
          className="justify-self-center"
          onClick={() => {
            queryClient.clear();
            void signOut().then(() => navigate("/sign-in", { replace: true }));
          }}
        >
          Sign out instead
        </Button>
      </DialogContent>
    </Dialog>
  );
}

function UserMenu() {
  const { session } = useSession();
  const navigate = useNavigate();
  const user = session?.user;
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" className="h-auto w-full justify-start gap-2 px-2 py-1.5" aria-label="Account menu">
          <Avatar className="h-7 w-7">
            <AvatarFallback>{initials(user?.name ?? user?.email ?? "?")}</AvatarFallback>
          </Avatar>
          <span className="min-w-0 flex-1 truncate text-left text-sm">{user?.name ?? user?.email}</span>
          <ChevronsUpDown className="opacity-60" aria-hidden="true" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" side="top" className="w-56">
        <DropdownMenuLabel className="truncate font-normal text-muted-foreground">{user?.email}</DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => navigate("/settings/account")}>
          <UserRound aria-hidden="true" />
          Account
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => navigate("/settings/tokens")}>
          <KeyRound aria-hidden="true" />
          API tokens
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem
          onSelect={() => {
            void signOut().then(() => navigate("/sign-in", { replace: true }));
          }}
        >
          <LogOut aria-hidden="true" />
          Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

/** Leaving the page while a change is being saved asks first, so the change is not silently lost. */
function useWarnBeforeUnloadWhileSaving() {
  const saving = useIsMutating() > 0;
  useEffect(() => {
    if (!saving) return undefined;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers need a returnValue to show the prompt.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [saving]);
}

export function AppLayout() {
  useWarnBeforeUnloadWhileSaving();
  return (
    <div className="flex h-full">
      <aside className="flex w-64 shrink-0 flex-col border-r bg-sidebar" aria-label="Navigation">
        <div className="flex h-12 items-center justify-between border-b px-3">
          <Link to="/" className="rounded-sm font-semibold text-primary focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
            PyBase
          </Link>
          <ConnectionDot />
        </div>
        <div className="px-2 pt-2">
          <CommandPalette />
          <RecordPanelFromUrl />
        </div>
        <ScrollArea className="min-h-0 flex-1">
          <nav className="p-2" aria-label="Workspaces">
            <SidebarTree />
          </nav>
        </ScrollArea>
        <div className="border-t p-2">
          <UserMenu />
        </div>
      </aside>
      <main className="flex min-w-0 flex-1 flex-col">
        <Outlet />
      </main>
      <ReSignInDialog />
    </div>
  );
}

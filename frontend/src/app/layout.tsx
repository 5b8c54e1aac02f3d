import { LogOut } from "lucide-react";
import { Link, Outlet } from "react-router-dom";

import { Avatar, AvatarFallback, initials } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { ScrollArea } from "@/components/ui/scroll-area";
import { signOut } from "@/features/auth/api/auth";
import { SignInForm } from "@/features/auth/components/sign-in-form";
import { SidebarTree } from "@/features/workspaces/components/sidebar-tree";
import { useConnectionStatus } from "@/hooks/use-realtime";
import { useSession } from "@/hooks/use-session";

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
  return (
    <Dialog open={status === "expired"}>
      <DialogContent hideClose onEscapeKeyDown={(e) => e.preventDefault()} onPointerDownOutside={(e) => e.preventDefault()}>
        <DialogHeader>
          <DialogTitle>Your session has ended</DialogTitle>
          <DialogDescription>Sign in again to continue where you left off. Nothing on this page is lost.</DialogDescription>
        </DialogHeader>
        <SignInForm defaultEmail={session?.user?.email ?? ""} />
      </DialogContent>
    </Dialog>
  );
}

export function AppLayout() {
  const { session } = useSession();
  const user = session?.user;
  return (
    <div className="flex h-full">
      <aside className="flex w-64 shrink-0 flex-col border-r bg-sidebar" aria-label="Navigation">
        <div className="flex h-12 items-center justify-between border-b px-3">
          <Link to="/" className="rounded-sm font-semibold text-primary focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
            PyBase
          </Link>
          <ConnectionDot />
        </div>
        <ScrollArea className="min-h-0 flex-1">
          <nav className="p-2" aria-label="Workspaces">
            <SidebarTree />
          </nav>
        </ScrollArea>
        <div className="flex items-center gap-2 border-t p-2">
          <Avatar className="h-7 w-7">
            <AvatarFallback>{initials(user?.name ?? user?.email ?? "?")}</AvatarFallback>
          </Avatar>
          <span className="min-w-0 flex-1 truncate text-sm">{user?.name ?? user?.email}</span>
          <Button variant="ghost" size="icon-sm" aria-label="Sign out" title="Sign out" onClick={() => void signOut()}>
            <LogOut aria-hidden="true" />
          </Button>
        </div>
      </aside>
      <main className="flex min-w-0 flex-1 flex-col">
        <Outlet />
      </main>
      <ReSignInDialog />
    </div>
  );
}

import { NavLink, Outlet } from "react-router-dom";

import { AccountForm } from "@/features/auth/components/account-form";
import { TokensPage } from "@/features/tokens/components/tokens-page";
import { cn } from "@/lib/utils";

const tabClass = ({ isActive }: { isActive: boolean }) =>
  cn(
    "rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
    isActive ? "bg-accent text-accent-foreground" : "text-muted-foreground hover:text-foreground",
  );

export function SettingsLayout() {
  return (
    <div className="flex min-h-0 flex-1 flex-col overflow-y-auto">
      <nav aria-label="Settings" className="flex gap-1 border-b px-4 py-2">
        <NavLink to="/settings/account" className={tabClass}>
          Account
        </NavLink>
        <NavLink to="/settings/tokens" className={tabClass}>
          API tokens
        </NavLink>
      </nav>
      <Outlet />
    </div>
  );
}

export function AccountRoute() {
  return (
    <div className="mx-auto grid w-full max-w-4xl gap-4 p-6">
      <h1 className="text-2xl font-semibold">Account</h1>
      <AccountForm />
    </div>
  );
}

export function TokensRoute() {
  return <TokensPage />;
}

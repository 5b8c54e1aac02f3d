import { lazy, Suspense, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router-dom";

import { AppLayout } from "@/app/layout";
import { HomeRoute } from "@/app/routes/home";
import { NotFoundRoute } from "@/app/routes/not-found";
import { SignInRoute, SignUpRoute } from "@/app/routes/auth";
import { FormRoute } from "@/app/routes/form";
import { InviteRoute } from "@/app/routes/invite";
import { AccountRoute, SettingsLayout, TokensRoute } from "@/app/routes/settings";
import { Skeleton } from "@/components/ui/skeleton";
import { useSession } from "@/hooks/use-session";

// The table screen carries the grid, the heaviest part: load it on demand.
const TableRoute = lazy(() => import("@/app/routes/table"));

function RequireSession({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const location = useLocation();
  // "expired" keeps the page (and what was typed); the layout asks to sign in again over it.
  if (status === "signed-out") {
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  }
  return <>{children}</>;
}

function RouteFallback() {
  return (
    <div className="grid gap-2 p-6" role="status" aria-busy="true" aria-label="Loading">
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-64 w-full" />
    </div>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInRoute />} />
      <Route path="/sign-up" element={<SignUpRoute />} />
      {/* Forms work signed out (public ones by their share link). */}
      <Route path="/form/:viewId" element={<FormRoute />} />
      <Route
        element={
          <RequireSession>
            <AppLayout />
          </RequireSession>
        }
      >
        <Route index element={<HomeRoute />} />
        <Route
          path="/b/:baseId/t/:tableId"
          element={
            <Suspense fallback={<RouteFallback />}>
              <TableRoute />
            </Suspense>
          }
        />
        <Route
          path="/t/:tableId"
          element={
            <Suspense fallback={<RouteFallback />}>
              <TableRoute />
            </Suspense>
          }
        />
        <Route path="/invite" element={<InviteRoute />} />
        <Route path="/settings" element={<SettingsLayout />}>
          <Route index element={<Navigate to="/settings/account" replace />} />
          <Route path="account" element={<AccountRoute />} />
          <Route path="tokens" element={<TokensRoute />} />
        </Route>
        <Route path="*" element={<NotFoundRoute />} />
      </Route>
    </Routes>
  );
}

export function AppRouter() {
  return (
    <BrowserRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <AppRoutes />
    </BrowserRouter>
  );
}

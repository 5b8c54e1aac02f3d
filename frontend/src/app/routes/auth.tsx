import type { ReactNode } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router-dom";

import { SignInForm } from "@/features/auth/components/sign-in-form";
import { SignUpForm } from "@/features/auth/components/sign-up-form";
import { useSession } from "@/hooks/use-session";

function AuthCard({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  return (
    <main className="flex min-h-full items-center justify-center bg-muted p-4">
      <div className="w-full max-w-sm rounded-lg border bg-background p-6 shadow-sm">
        <div className="mb-6 text-center">
          <p className="text-sm font-semibold tracking-wide text-primary">PyBase</p>
          <h1 className="mt-1 text-xl font-semibold">{title}</h1>
        </div>
        {children}
        <p className="mt-6 text-center text-sm text-muted-foreground">{footer}</p>
      </div>
    </main>
  );
}

function useAfterSignIn(): () => void {
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? "/";
  return () => navigate(from, { replace: true });
}

export function SignInRoute() {
  const { status } = useSession();
  const location = useLocation();
  const done = useAfterSignIn();
  if (status === "active") return <Navigate to={(location.state as { from?: string } | null)?.from ?? "/"} replace />;
  return (
    <AuthCard
      title="Sign in"
      footer={
        <>
          New to PyBase?{" "}
          <Link className="font-medium text-primary underline-offset-4 hover:underline" to="/sign-up" state={location.state}>
            Create an account
          </Link>
        </>
      }
    >
      <SignInForm onSuccess={done} />
    </AuthCard>
  );
}

export function SignUpRoute() {
  const { status } = useSession();
  const location = useLocation();
  const done = useAfterSignIn();
  if (status === "active") return <Navigate to={(location.state as { from?: string } | null)?.from ?? "/"} replace />;
  return (
    <AuthCard
      title="Create your account"
      footer={
        <>
          Already have an account?{" "}
          <Link className="font-medium text-primary underline-offset-4 hover:underline" to="/sign-in" state={location.state}>
            Sign in
          </Link>
        </>
      }
    >
      <SignUpForm onSuccess={done} />
    </AuthCard>
  );
}

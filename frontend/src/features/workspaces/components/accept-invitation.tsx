import { useState } from "react";
import { useNavigate } from "react-router-dom";

import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toaster";
import { useAcceptInvitation } from "@/features/workspaces/api/mutations";
import { errorMessage } from "@/lib/api/errors";

/** Landing of an invitation link (/invite?token=...): join the workspace as the signed-in user. */
export function AcceptInvitation({ token }: { token: string | null }) {
  const accept = useAcceptInvitation();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(token ? null : "This link has no invitation token. Ask for a new invitation.");

  return (
    <div className="mx-auto grid max-w-md gap-4 p-8">
      <h1 className="text-2xl font-semibold">Join a workspace</h1>
      <p className="text-muted-foreground">You were invited to a PyBase workspace. Accept to see its bases in the sidebar.</p>
      {error && (
        <p role="alert" className="text-sm font-medium text-destructive">
          {error}
        </p>
      )}
      <div className="flex gap-2">
        <Button
          disabled={!token || accept.isPending}
          onClick={() => {
            if (!token) return;
            setError(null);
            accept.mutate(token, {
              onSuccess: (workspace) => {
                toast.success(`You joined ${workspace.name}`);
                navigate("/", { replace: true });
              },
              onError: (e) => setError(errorMessage(e)),
            });
          }}
        >
          {accept.isPending ? "Joining…" : "Accept invitation"}
        </Button>
        <Button variant="outline" onClick={() => navigate("/")}>
          Not now
        </Button>
      </div>
    </div>
  );
}

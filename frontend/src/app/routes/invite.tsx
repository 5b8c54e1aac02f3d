import { useSearchParams } from "react-router-dom";

import { AcceptInvitation } from "@/features/workspaces/components/accept-invitation";

export function InviteRoute() {
  const [params] = useSearchParams();
  return <AcceptInvitation token={params.get("token")} />;
}

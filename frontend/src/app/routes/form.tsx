// /form/:viewId?share=<token>: a form to fill in, signed in or out (public forms by their link).
import { useParams, useSearchParams } from "react-router-dom";

import { PublicFormPage } from "@/features/forms/components/public-form";

export function FormRoute() {
  const { viewId = "" } = useParams();
  const [params] = useSearchParams();
  return (
    <div className="min-h-screen bg-background">
      <PublicFormPage viewId={viewId} share={params.get("share")} />
    </div>
  );
}

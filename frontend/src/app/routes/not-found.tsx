import { Link } from "react-router-dom";

export function NotFoundRoute() {
  return (
    <div className="mx-auto max-w-xl p-8">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-muted-foreground">
        Nothing lives at this address.{" "}
        <Link to="/" className="font-medium text-primary underline-offset-4 hover:underline">
          Go home
        </Link>
      </p>
    </div>
  );
}

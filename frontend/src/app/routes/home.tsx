export function HomeRoute() {
  return (
    <div className="mx-auto max-w-xl p-8">
      <h1 className="text-2xl font-semibold">Welcome to PyBase</h1>
      <p className="mt-2 text-muted-foreground">
        Pick a table in the sidebar, or create a workspace, a base and a table to start.
      </p>
    </div>
  );
}

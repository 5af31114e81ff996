/** A screen of the frame whose module is not built yet: says what it will hold, and claims nothing more. */
export function Planned({ title, purpose }: { title: string; purpose: string }) {
  return (
    <section>
      <h1>{title}</h1>
      <p className="muted">Not built yet. This screen will show: {purpose}</p>
    </section>
  );
}

// One label/value line of a side panel.
import type { ReactNode } from 'react';

export function Row({ k, v }: { k: string; v: ReactNode }) {
  return (
    <div className="row">
      <span className="k">{k}</span>
      <span className="v">{v}</span>
    </div>
  );
}

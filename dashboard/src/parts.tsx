// Small pieces every page uses: a query's loading and error states, hashes shown short
// with the full value at hand, figures, and the note for what the index does not hold.
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError } from './api.ts';
import { short } from './format.ts';

export function Loaded<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  if (query.isPending) return <p aria-busy="true">Loading…</p>;
  if (query.isError) return <ErrorNotice error={query.error} />;
  return <>{children(query.data)}</>;
}

export function ErrorNotice({ error }: { error: unknown }) {
  const api = error instanceof ApiError ? error : undefined;
  return (
    <div className="error" role="alert">
      <p>
        <strong>{api ? api.code : 'Error'}</strong>: {error instanceof Error ? error.message : String(error)}
      </p>
      {api && api.details.length > 0 && (
        <ul>
          {api.details.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A hash or address: shortened, the whole value in the tooltip and selectable as text. */
export function Hex({ value, full = false }: { value: string | null | undefined; full?: boolean }) {
  if (!value) return <span className="muted">none</span>;
  return (
    <code title={value} className="hex">
      {full ? value : short(value)}
    </code>
  );
}

export function NotIndexed({ what, why }: { what: string; why: string }) {
  return (
    <span className="not-indexed" title={why}>
      {what}: not indexed yet
    </span>
  );
}

export function Figures({ items }: { items: { label: string; value: ReactNode }[] }) {
  return (
    <dl className="figures">
      {items.map((item) => (
        <div key={item.label}>
          <dt>{item.label}</dt>
          <dd>{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="muted">{children}</p>;
}

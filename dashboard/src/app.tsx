// The frame around every page: a skip link, the navigation (one link per page in
// pages.ts), the index's status and the live-update state, then the page itself.
// Routes are hashes (#/providers), so the static files need no server-side routing.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { getJson, paths, type Status } from './api.ts';
import { useLiveUpdates } from './live.ts';
import { pages } from './pages.ts';

/** The page part of the hash: "#/disputes?id=0x…" is the disputes page, its query for the page itself. */
const currentPath = () => window.location.hash.replace(/^#\/?/, '').split('?')[0] || pages[0]!.path;

export function App() {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onHash = () => setPath(currentPath());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const live = useLiveUpdates(useQueryClient());
  const status = useQuery({ queryKey: [paths.status], queryFn: () => getJson<Status>(paths.status) });
  const page = pages.find((p) => p.path === path);
  useEffect(() => {
    document.title = `${page?.title ?? 'Not found'} · Trellis network`;
  }, [page]);

  return (
    <>
      <button type="button" className="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header>
        <p className="brand">Trellis network</p>
        <nav aria-label="Pages">
          <ul>
            {pages.map((p) => (
              <li key={p.path}>
                <a href={`#/${p.path}`} aria-current={p.path === path ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p className="status" aria-live="polite">
          <span className={live.connected ? 'dot on' : 'dot'} aria-hidden="true" />
          <span data-testid="live">{live.connected ? 'live' : 'not live'}</span>
          {status.data && ` · block ${status.data.indexedBlock}${status.data.lag ? ` (${status.data.lag} behind)` : ''} · chain ${status.data.chainId}`}
          {status.data?.lastError && ` · indexer error: ${status.data.lastError}`}
          {live.lastEvent && ` · last event: ${live.lastEvent}`}
        </p>
      </header>
      <main id="main" tabIndex={-1}>
        {page ? (
          <>
            <h1>{page.title}</h1>
            <page.Component />
          </>
        ) : (
          <>
            <h1>No such page</h1>
            <p role="alert">There is no page "{path}". Pick one from the navigation above.</p>
          </>
        )}
      </main>
    </>
  );
}

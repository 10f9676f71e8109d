// Models: each published model with its owner, royalty and what it has earned, its
// package, and the providers that set a price for it (those serve it).
import { useQueries, useQuery } from '@tanstack/react-query';
import { getJson, type Model, type ModelDetail, type Overview, type Page, paths } from '../api.ts';
import { ShareBars } from '../charts/share-bars.tsx';
import { modelName, packageCid, percentBps, short, tokenNumber, tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Empty, Hex, Loaded } from '../parts.tsx';

function ModelsView() {
  const models = useQuery({ queryKey: [paths.models], queryFn: () => getJson<Page<Model>>(paths.models) });
  const overview = useQuery({ queryKey: [paths.overview], queryFn: () => getJson<Overview>(paths.overview) });
  const details = useQueries({
    queries: (models.data?.items ?? []).map((m) => ({ queryKey: [paths.model(m.id)], queryFn: () => getJson<ModelDetail>(paths.model(m.id)) })),
  });
  const earned = (id: string) => overview.data?.earningsByModel.find((e) => e.modelId === id);
  const label = (m: Model) => modelName(m.metadataURI) ?? short(m.id);
  return (
    <Loaded query={models}>
      {(page) =>
        page.items.length === 0 ? (
          <Empty>No model is published yet.</Empty>
        ) : (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Royalty</th>
                  <th scope="col">Royalties earned</th>
                  <th scope="col">Package</th>
                  <th scope="col">Served by</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((m, i) => {
                  const cid = packageCid(m.metadataURI);
                  const serving = details[i]?.data?.prices;
                  return (
                    <tr key={m.id}>
                      <th scope="row">
                        {label(m)}
                        {m.deprecated && ' (deprecated)'}
                        <br />
                        <Hex value={m.id} />
                      </th>
                      <td>
                        <Hex value={m.owner} />
                      </td>
                      <td className="num">
                        {percentBps(m.royaltyBps)}
                        {m.pendingRoyalty && ` (rising to ${percentBps(m.pendingRoyalty.royaltyBps)})`}
                      </td>
                      <td className="num">{tokens(earned(m.id)?.royalty ?? '0')}</td>
                      <td>{cid ? <code title={m.metadataURI}>{short(cid)}</code> : <span title={m.metadataURI}>by name ({m.metadataURI})</span>}</td>
                      <td>
                        {serving === undefined
                          ? '…'
                          : serving.length === 0
                            ? 'no provider'
                            : serving.map((p) => (
                                <span key={p.provider} className="chip">
                                  <Hex value={p.provider} /> {tokens(p.price)}
                                </span>
                              ))}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {overview.data && overview.data.earningsByModel.length > 0 && (
              <div className="charts">
                <ShareBars
                  title="Royalties earned per model"
                  rows={page.items.map((m) => ({
                    label: label(m),
                    value: tokenNumber(earned(m.id)?.royalty ?? '0'),
                    shown: tokens(earned(m.id)?.royalty ?? '0'),
                  }))}
                />
                <ShareBars
                  title="Earned by providers per model"
                  rows={page.items.map((m) => ({
                    label: label(m),
                    value: tokenNumber(earned(m.id)?.providerAmount ?? '0'),
                    shown: tokens(earned(m.id)?.providerAmount ?? '0'),
                  }))}
                />
              </div>
            )}
          </>
        )
      }
    </Loaded>
  );
}

export const modelsPage: DashboardPage = { path: 'models', title: 'Models', Component: ModelsView };

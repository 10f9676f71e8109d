// zk verification (docs/zk.md): per model its Groth16 verifier and Poseidon weight
// commitment from ZkRegistry, the requests the gateway routed in verification zk with
// what became of their proof, the results recorded on chain (verifyAndRecord), and the
// providers ZkReceiptSlasher slashed for a signed receipt whose proof fails.
import { useQuery } from '@tanstack/react-query';
import { getJson, type Page, paths, type ZkRequest, type ZkResult, type ZkSlash, type ZkVerifier } from '../api.ts';
import { modelName, short, time, tokens } from '../format.ts';
import type { DashboardPage } from '../page.ts';
import { Hex, Loaded } from '../parts.tsx';
import { Table } from '../table.tsx';

const proofText = (r: ZkRequest) => (r.proofStatus === 'bound' ? 'proof bound to the receipt' : `refused: ${r.status}`);

function ZkView() {
  const verifiers = useQuery({ queryKey: [paths.zkVerifiers], queryFn: () => getJson<Page<ZkVerifier>>(paths.zkVerifiers) });
  // The gateway's log is not a chain event, so no stream event marks it stale: polled like the gateway's other figures.
  const requests = useQuery({ queryKey: [paths.zkRequests], queryFn: () => getJson<Page<ZkRequest>>(paths.zkRequests), refetchInterval: 5000 });
  const results = useQuery({ queryKey: [paths.zkResults], queryFn: () => getJson<Page<ZkResult>>(paths.zkResults) });
  const slashes = useQuery({ queryKey: [paths.zkSlashes], queryFn: () => getJson<Page<ZkSlash>>(paths.zkSlashes) });
  const names = new Map((verifiers.data?.items ?? []).map((v) => [v.modelId, (v.metadataURI && modelName(v.metadataURI)) ?? short(v.modelId)]));
  const model = (id: string | null) => (id ? (names.get(id) ?? <Hex value={id} />) : 'none');
  return (
    <>
      <h2>Verifiers per model</h2>
      <Loaded query={verifiers}>
        {(page) => (
          <Table
            label="zk verifiers"
            rows={page.items}
            rowKey={(v) => v.modelId}
            empty="No model has a zk verifier registered."
            columns={[
              { header: 'Model', cell: (v) => model(v.modelId) },
              { header: 'Verifier', cell: (v) => <Hex value={v.verifier} /> },
              { header: 'Weight commitment (Poseidon)', cell: (v) => <Hex value={v.commitment} /> },
              {
                header: 'Registered in block',
                numeric: true,
                cell: (v) => (v.registrations > 1 ? `${v.registeredBlock} (registered ${v.registrations} times)` : v.registeredBlock),
              },
              { header: 'zk requests', numeric: true, cell: (v) => v.requests },
              { header: 'Results recorded', numeric: true, cell: (v) => v.results },
            ]}
          />
        )}
      </Loaded>
      <h2>zk requests</h2>
      <p className="muted">
        As the gateway routed them. A bound proof is the one the signed receipt commits to; the client verifies it against the registered commitment before it
        pays.
      </p>
      <Loaded query={requests}>
        {(page) => (
          <Table
            label="zk requests"
            rows={page.items}
            rowKey={(r) => `${r.gateway}:${r.seq}`}
            empty="No zk request went through a followed gateway."
            columns={[
              { header: 'When', cell: (r) => time(Math.floor(r.at / 1000)) },
              { header: 'Request', cell: (r) => <Hex value={r.requestHash} /> },
              { header: 'Model', cell: (r) => model(r.modelId) },
              { header: 'Provider', cell: (r) => (r.providers[0] ? <Hex value={r.providers[0]} /> : 'none') },
              { header: 'Latency', numeric: true, cell: (r) => `${r.latencyMs} ms` },
              { header: 'Proof status', cell: proofText },
            ]}
          />
        )}
      </Loaded>
      <h2>Results recorded on chain</h2>
      <Loaded query={results}>
        {(page) => (
          <Table
            label="Recorded zk results"
            rows={page.items}
            rowKey={(r) => `${r.blockNumber}:${r.logIndex}`}
            empty="No proof was recorded on chain."
            columns={[
              { header: 'Block', numeric: true, cell: (r) => r.blockNumber },
              { header: 'Model', cell: (r) => model(r.modelId) },
              { header: 'I/O hash', cell: (r) => <Hex value={r.ioHash} /> },
              { header: 'Submitted by', cell: (r) => <Hex value={r.submitter} /> },
              { header: 'Transaction', cell: (r) => <Hex value={r.txHash} /> },
            ]}
          />
        )}
      </Loaded>
      <h2>Slashes for a failing proof</h2>
      <Loaded query={slashes}>
        {(page) => (
          <Table
            label="zk slashes"
            rows={page.items}
            rowKey={(s) => `${s.blockNumber}:${s.logIndex}`}
            empty="No provider was slashed for a zk receipt."
            columns={[
              { header: 'Block', numeric: true, cell: (s) => s.blockNumber },
              { header: 'Provider', cell: (s) => <Hex value={s.provider} /> },
              { header: 'Receipt', cell: (s) => <Hex value={s.receiptId} /> },
              { header: 'Reported by', cell: (s) => <Hex value={s.reporter} /> },
              { header: 'Slashed', numeric: true, cell: (s) => tokens(s.slashed) },
              { header: 'Reporter reward', numeric: true, cell: (s) => tokens(s.reward) },
            ]}
          />
        )}
      </Loaded>
    </>
  );
}

export const zkPage: DashboardPage = { path: 'zk', title: 'zk proofs', Component: ZkView };

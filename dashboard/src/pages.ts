// Every page, in navigation order. A page for a later capability (training rounds,
// agents, proofs) is a file in pages/ and one line here.
import type { DashboardPage } from './page.ts';
import { agentsPage } from './pages/agents.tsx';
import { disputesPage } from './pages/disputes.tsx';
import { matrixPage } from './pages/matrix.tsx';
import { modelsPage } from './pages/models.tsx';
import { overviewPage } from './pages/overview.tsx';
import { paymentsPage } from './pages/payments.tsx';
import { providersPage } from './pages/providers.tsx';
import { requestsPage } from './pages/requests.tsx';
import { trainingPage } from './pages/training.tsx';
import { zkPage } from './pages/zk.tsx';

export const pages: readonly DashboardPage[] = [
  overviewPage,
  providersPage,
  modelsPage,
  requestsPage,
  disputesPage,
  paymentsPage,
  agentsPage,
  trainingPage,
  zkPage,
  matrixPage,
];

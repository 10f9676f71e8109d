// What a dashboard page is: a path under #/, a title for the navigation, and its view.
// Pages are listed in pages.ts; adding one is a new file and one line there.
import type { ComponentType } from 'react';

export type DashboardPage = {
  /** The hash route: #/<path>. */
  path: string;
  title: string;
  Component: ComponentType;
};

// Headless chromium for the dashboard's tests and screenshots: Debian's own build (.ci/run
// installs it), driven by playwright-core, which downloads no browser of its own. A
// machine without it fails with how to install it: CI always has it, so a skip would
// hide a broken install.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
export const CHROMIUM_VARIABLE = 'TRELLIS_CHROMIUM';

export function chromiumPath(): string {
  const given = process.env[CHROMIUM_VARIABLE];
  const found = given ? [given] : CANDIDATES.filter((path) => existsSync(path));
  if (found.length === 0 || !existsSync(found[0]!)) {
    throw new Error(
      `No chromium found (${given ? `$${CHROMIUM_VARIABLE}=${given} does not exist` : `looked for ${CANDIDATES.join(', ')}`}). ` +
        `Install it with: apt-get install -y --no-install-recommends chromium (as .ci/run does), or point $${CHROMIUM_VARIABLE} at a chromium binary.`,
    );
  }
  return found[0]!;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where chromium refuses its sandbox.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
}

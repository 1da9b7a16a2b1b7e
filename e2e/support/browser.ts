import { chromium } from '@playwright/test';
import type { Browser } from '@playwright/test';

/** Debian's Chromium (Playwright's own browser download cannot work on these machines). */
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    ...CHROMIUM_LAUNCH,
    args: [...CHROMIUM_LAUNCH.args, ...extraArgs],
    headless: true,
  });
}

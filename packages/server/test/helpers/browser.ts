import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's chromium, which playwright-core drives. */
export const CHROMIUM = "/usr/bin/chromium";

/** One headless chromium profile with a page; `close` removes the profile. */
export async function openBrowser(viewport = { width: 1400, height: 900 }): Promise<{
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/ensure-deps.sh --services`);
  }
  const profile = mkdtempSync(join(tmpdir(), "onair-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the dashboard's form at `baseUrl`. */
export async function signIn(page: Page, baseUrl: string, secretId: string, secretKey: string) {
  await page.goto(`${baseUrl}/dashboard/`);
  await page.getByLabel("SecretId", { exact: true }).first().fill(secretId);
  await page.getByLabel("SecretKey", { exact: true }).first().fill(secretKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Pages" }).waitFor();
}

import { AxeBuilder } from "@axe-core/playwright";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";

import { artifactsDir, docsScreenshotsDir, updateScreenshots } from "./env";

const BLOCKING = new Set(["serious", "critical"]);

/** axe-core on the page as it is now (WCAG 2.1 A and AA rules); fails on any serious or critical violation. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const blocking = results.violations.filter((violation) => BLOCKING.has(violation.impact ?? ""));
  if (blocking.length > 0) {
    const lines = blocking.map(
      (v) =>
        `- ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes
          .slice(0, 3)
          // The element's own markup too: a generated ID (radix-:r1v:) alone does not say which element it is.
          .map((n) => `${n.target.join(" ")}  ${n.html.slice(0, 300)}`)
          .join("\n    ")}`,
    );
    const name = `a11y-failure-${screen.replace(/[^a-z0-9]+/gi, "-")}`;
    await screenshot(page, name).catch(() => undefined);
    throw new Error(`accessibility violations on the ${screen} screen (screenshot: ${name}.png):\n${lines.join("\n")}`);
  }
}

/**
 * A full-page screenshot in <artifacts>/screenshots/<name>.png; with PYBASE_UPDATE_SCREENSHOTS=1 also
 * copied to docs/screenshots/<name>.png, the copies the README shows.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = join(artifactsDir, "screenshots");
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  // Caret and animations off: the committed copies should not change from run to run for nothing.
  await page.screenshot({ path: file, fullPage: true, animations: "disabled", caret: "hide" });
  if (updateScreenshots) {
    await mkdir(docsScreenshotsDir, { recursive: true });
    await copyFile(file, join(docsScreenshotsDir, `${name}.png`));
  }
}

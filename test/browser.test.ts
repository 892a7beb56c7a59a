// The published site in a real browser: headless Chromium (Debian's `chromium` package) opens it from
// file://, and the tables, charts, sorting and links must work with no console error.
//
//   node --import tsx --test test/browser.test.ts                     publishes a fixture run and checks it
//   HARNESS_SITE=/tmp/site HARNESS_SCREENSHOT=1 node --import tsx --test test/browser.test.ts
//                                                                     checks an existing site and writes
//                                                                     docs/leaderboard-smoke.png
//   HARNESS_SITE=/tmp/site node --import tsx --test --test-name-pattern=weight test/browser.test.ts
//                                                                     weight and load time of every page of
//                                                                     that site (goal: < 2 MB, < 2 s)
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { publishSite } from '../harness/publish/site.ts';
import { cli, FIXTURE_PLUGIN, ROOT, tempDir } from './helpers.ts';

const CHROMIUM = process.env.HARNESS_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = join(ROOT, 'docs', 'leaderboard-smoke.png');
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set HARNESS_CHROMIUM`;

async function openBrowser(): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(tempDir('harness-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Console errors, page errors and failed requests of a page, as they happen. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  return problems;
}

/** Every local link of the page points at a file of the site. */
async function assertLocalLinksExist(page: Page) {
  const hrefs = await page.$$eval('a[href]', (links) => links.map((a) => (a as HTMLAnchorElement).href));
  for (const href of hrefs.filter((h) => h.startsWith('file:'))) {
    const file = fileURLToPath(href.replace(/#.*$/, ''));
    assert.ok(existsSync(file), `link target exists: ${file}`);
  }
}

/** The values of one column of the first leaderboard, as the sort script reads them. */
async function columnValues(page: Page, column: number): Promise<number[]> {
  return page.$$eval(
    'table.leaderboard >> nth=0',
    (tables, col) => [...(tables[0] as HTMLTableElement).tBodies[0].rows].map((row) => Number(row.cells[col as number].dataset.sort || NaN)),
    column,
  );
}

async function checkSite(context: BrowserContext, index: string, screenshot?: string) {
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(pathToFileURL(index).href);
  const suiteLinks = page.locator('table.suites a');
  assert.ok((await suiteLinks.count()) >= 1, 'the index lists at least one suite');
  await assertLocalLinksExist(page);

  await suiteLinks.first().click();
  await page.waitForLoadState('load');
  assert.match(page.url(), /-v\d+\.html$/, 'the index links to a suite page');
  const board = page.locator('table.leaderboard').first();
  await board.waitFor({ state: 'visible' });
  const rows = await board.locator('tbody tr').count();
  assert.ok(rows >= 2, `the first leaderboard has rows (${rows})`);
  const chart = page.locator('figure svg').first();
  const box = await chart.boundingBox();
  assert.ok(box && box.width > 100 && box.height > 50, `an SVG chart is drawn (${JSON.stringify(box)})`);
  assert.ok((await chart.locator('path[aria-roledescription="point"]').count()) >= 2, 'the chart has a point per method');
  await assertLocalLinksExist(page);

  // Sorting by the primary metric (column 5: rank, method, n, wins, primary): ascending, then descending.
  const header = board.locator('thead th').nth(4);
  await header.click();
  assert.equal(await header.getAttribute('aria-sort'), 'ascending');
  const up = (await columnValues(page, 4)).filter((v) => !Number.isNaN(v));
  assert.deepEqual(up, [...up].sort((a, b) => a - b));
  await header.click();
  assert.equal(await header.getAttribute('aria-sort'), 'descending');
  const down = (await columnValues(page, 4)).filter((v) => !Number.isNaN(v));
  assert.deepEqual(down, [...up].sort((a, b) => b - a));
  await header.click(); // back to ascending: the best method on top again, for the screenshot
  if (screenshot) {
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: false });
  }

  await page.locator('header.site a').click();
  await page.waitForLoadState('load');
  assert.match(page.url(), /index\.html$/, 'the suite page links back to the index');
  assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
  await page.close();
}

test('the published site works in headless Chromium from file://: tables, charts, sorting, links, no console errors', { skip, timeout: 120_000 }, async () => {
  let index: string;
  if (process.env.HARNESS_SITE) {
    index = join(resolve(process.env.HARNESS_SITE), 'index.html');
  } else {
    const run = join(tempDir('browser-run-'), 'run');
    const result = cli(['run', join(FIXTURE_PLUGIN, 'suites', 'fixture.yaml'), '--plugin', FIXTURE_PLUGIN, '--out', run]);
    assert.equal(result.status, 0, result.stderr);
    index = (await publishSite({ inputs: [run], out: tempDir('browser-site-') })).index;
  }
  const context = await openBrowser();
  try {
    await checkSite(context, index, process.env.HARNESS_SCREENSHOT === '1' ? SCREENSHOT : undefined);
  } finally {
    await context.close();
  }
});

/** Goal for every page of a published site: what the browser fetches for it, and the time to its load event. */
const PAGE_MAX_BYTES = 2 * 1024 * 1024;
const PAGE_MAX_LOAD_MS = 2000;

test('every page weighs < 2 MB with what it loads, and loads in headless Chromium (< 2 s where HARNESS_SITE is measured)', { skip, timeout: 300_000 }, async (t) => {
  let dir: string;
  if (process.env.HARNESS_SITE) {
    dir = resolve(process.env.HARNESS_SITE);
  } else {
    const run = join(tempDir('browser-weight-run-'), 'run');
    const result = cli(['run', join(FIXTURE_PLUGIN, 'suites', 'fixture.yaml'), '--plugin', FIXTURE_PLUGIN, '--out', run]);
    assert.equal(result.status, 0, result.stderr);
    dir = (await publishSite({ inputs: [run], out: tempDir('browser-weight-site-') })).outDir;
  }
  const pages = readdirSync(dir).filter((f) => f.endsWith('.html')).sort();
  assert.ok(pages.length >= 2, 'an index and at least one suite page');
  const context = await openBrowser();
  try {
    for (const name of pages) {
      const page = await context.newPage();
      // Every file the page fetches (itself, images, …), by its size on disk.
      const fetched = new Set<string>();
      page.on('request', (request) => {
        if (request.url().startsWith('file:')) fetched.add(fileURLToPath(request.url().replace(/#.*$/, '')));
      });
      await page.goto(pathToFileURL(join(dir, name)).href, { waitUntil: 'load' });
      // Lazy images count too: scroll through the page so each one is requested.
      await page.evaluate(async () => {
        for (let y = 0; y < document.body.scrollHeight; y += 800) {
          window.scrollTo(0, y);
          await new Promise((r) => setTimeout(r, 5));
        }
      });
      await page.waitForLoadState('load');
      const loadMs = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd);
      const bytes = [...fetched].filter((f) => existsSync(f)).reduce((sum, f) => sum + statSync(f).size, 0);
      t.diagnostic(`${name}: ${(bytes / 1e6).toFixed(2)} MB in ${fetched.size} file(s), load event at ${Math.round(loadMs)} ms`);
      assert.ok(bytes < PAGE_MAX_BYTES, `${name} weighs ${(bytes / 1e6).toFixed(2)} MB with what it loads (goal < ${PAGE_MAX_BYTES / 1024 / 1024} MiB)`);
      if (process.env.HARNESS_SITE) assert.ok(loadMs < PAGE_MAX_LOAD_MS, `${name} loads in ${Math.round(loadMs)} ms (goal < ${PAGE_MAX_LOAD_MS} ms)`);
      await page.close();
    }
  } finally {
    await context.close();
  }
});

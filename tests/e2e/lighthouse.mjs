// Lighthouse's accessibility, SEO and best-practices audits on many pages, in one Chromium.
//
//   node tests/e2e/lighthouse.mjs NODE_MODULES < runs.json > results.json
//
// runs.json is a list of {"url": ..., "form_factor": "mobile" | "desktop"}; the result is the
// same list, each with its "scores" by category and its "failures": every audit of those
// categories that counts towards a score and scored below 1. Performance is left out: it is
// slow and, on a shared machine, noisy. CHROME_PATH names the browser (default
// /usr/bin/chromium).
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';

const CATEGORIES = ['accessibility', 'seo', 'best-practices'];

// From the project's node_modules whatever folder this script was copied to (tox runs a copy
// of tests/), and chrome-launcher as Lighthouse itself finds it.
const nodeModules = process.argv[2];
const fromProject = createRequire(join(nodeModules, 'noop.js'));
const lighthousePath = fromProject.resolve('lighthouse');
const load = path => import(pathToFileURL(path).href);
const {default: lighthouse} = await load(lighthousePath);
const {default: desktopConfig} = await load(
  fromProject.resolve('lighthouse/core/config/desktop-config.js'));
const chromeLauncher = await load(createRequire(lighthousePath).resolve('chrome-launcher'));

// Lighthouse's own configurations: mobile is its default (a Moto G Power's screen, touch),
// desktop its desktop preset.
const CONFIGS = {mobile: undefined, desktop: desktopConfig};

// What an item of an audit's details points at: an element, a URL, a console message.
function where(item) {
  const parts = [item.node?.selector, item.url, item.description, item.sourceLocation?.url];
  return parts.filter(part => typeof part === 'string' && part).join(' ');
}

function failures(lhr) {
  const failed = [];
  for (const category of CATEGORIES) {
    for (const ref of lhr.categories[category].auditRefs) {
      const audit = lhr.audits[ref.id];
      if (!ref.weight || audit.score === null || audit.score >= 1) continue;
      failed.push({
        category,
        id: audit.id,
        title: audit.title,
        score: audit.score,
        detail: audit.explanation || audit.displayValue || '',
        items: (audit.details?.items || []).slice(0, 5).map(where),
      });
    }
  }
  return failed;
}

const runs = JSON.parse(readFileSync(0, 'utf8'));
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu'],
  logLevel: 'silent',
});
const results = [];
try {
  for (const run of runs) {
    const started = Date.now();
    let lhr;
    try {
      ({lhr} = await lighthouse(
        run.url,
        {
          port: chrome.port,
          logLevel: 'error',
          onlyCategories: CATEGORIES,
          // The full-page screenshot only illustrates an HTML report (none is written here)
          // and costs one to two seconds a page; no audit reads it.
          disableFullPageScreenshot: true,
        },
        CONFIGS[run.form_factor],
      ));
    } catch (error) {
      // One page Lighthouse could not audit does not hide the others' results.
      results.push({...run, runtime_error: String(error), scores: {}, failures: []});
      continue;
    }
    results.push({
      ...run,
      lighthouse: lhr.lighthouseVersion,
      final_url: lhr.finalDisplayedUrl,
      runtime_error: lhr.runtimeError?.message || null,
      warnings: lhr.runWarnings,
      seconds: (Date.now() - started) / 1000,
      scores: Object.fromEntries(CATEGORIES.map(c => [c, lhr.categories[c].score])),
      failures: failures(lhr),
    });
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n');

// webapp.test.mjs - end-to-end test of `aiconfigurator webapp` in a real browser: starts
// the server on a free port, drives the system's Chromium (/usr/bin/chromium) through
// playwright-core, runs a search and an estimate in SOL mode on h100_sxm (no perf database
// needed), hovers a Pareto point, triggers an API error, and fails on any page error.
// Run: `node --test tests/e2e/` with AIC_BIN pointing at the executable (ctest sets it);
// ctest skips (77) when Chromium or tests/e2e/node_modules is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.AIC_CHROMIUM || '/usr/bin/chromium';
const BIN = process.env.AIC_BIN || new URL('../../build/dev/aiconfigurator', import.meta.url).pathname;

let server, url, browser, page;
const pageErrors = [];

function startServer() {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: '1' };
    delete env.AIC_SYSTEMS_PATHS;
    server = spawn(BIN, ['webapp', '--port', '0', '--systems-paths', 'default'], { env });
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 20000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.stderr.on('data', (d) => { out += d; });
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

before(async () => {
  assert.ok(existsSync(BIN), `no executable at ${BIN} (set AIC_BIN)`);
  url = await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // the error test's 400 is expected; anything else logged as an error is not
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 400/.test(m.text())) pageErrors.push(m.text());
  });
  await page.goto(url);
  // the lists come from ops models and systems
  await page.waitForFunction(() => document.querySelectorAll('#models option').length > 10 &&
    document.querySelector('#search-form select[name=system] option[value=h100_sxm]'));
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const done = new Promise((r) => server.once('exit', r));
    server.kill('SIGINT');
    await done; // Ctrl-C stops the server cleanly
  }
});

test('search shows summary, chart with hover and tables', async () => {
  const f = '#search-form';
  await page.selectOption(`${f} select[name=system]`, 'h100_sxm');
  await page.selectOption(`${f} select[name=database_mode]`, 'SOL');
  await page.fill(`${f} input[name=model_path]`, 'Qwen/Qwen3-32B');
  await page.fill(`${f} input[name=total_gpus]`, '8');
  await page.click('#search-btn');
  await page.waitForSelector('#search-result:not([hidden])');
  const summary = await page.textContent('#summary');
  assert.match(summary, /Chosen serving mode/);
  assert.match(summary, /h100_sxm/);
  const points = await page.locator('#chart circle.pt').count();
  assert.ok(points > 2, `only ${points} Pareto points`);
  await page.locator('#chart circle.pt').last().hover(); // drawn on top
  await page.waitForSelector('#tooltip:not([hidden])');
  assert.match(await page.textContent('#tooltip'), /tokens\/s\/gpu\s+\d/);
  assert.ok(await page.locator('#tables table tbody tr').count() > 0);
  // the server-side cairo SVG of the same search
  const href = await page.getAttribute('#svg-link', 'href');
  const resp = await page.request.get(new URL(href, url).toString());
  assert.equal(resp.status(), 200);
  assert.match(resp.headers()['content-type'], /image\/svg\+xml/);
});

test('API errors are shown', async () => {
  await page.fill('#search-form input[name=model_path]', 'no-such/model');
  await page.click('#search-btn');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /^(usage|not_found): /);
  await page.fill('#search-form input[name=model_path]', 'Qwen/Qwen3-32B');
});

test('estimate shows metrics and the per-op breakdown with provenance', async () => {
  await page.click('#tab-estimate');
  assert.equal(await page.isHidden('#error'), true);
  const f = '#estimate-form';
  await page.selectOption(`${f} select[name=system]`, 'h100_sxm');
  await page.selectOption(`${f} select[name=database_mode]`, 'SOL');
  await page.fill(`${f} input[name=tp_size]`, '2');
  await page.click('#estimate-btn');
  await page.waitForSelector('#estimate-result:not([hidden])');
  assert.match(await page.textContent('#est-summary'), /TTFT\s*[\d.]+ ms/);
  assert.match(await page.textContent('#est-summary'), /tp2pp1/);
  assert.match(await page.textContent('#est-memory'), /GiB/);
  assert.match(await page.textContent('#est-ttft'), /own prefill\s*[\d.]+ ms/);
  assert.match(await page.textContent('#est-summary'), /Decode sources\s*sol 100 %/);
  const sources = await page.locator('#est-breakdown td:last-child').allTextContents();
  assert.ok(sources.length > 5);
  assert.ok(sources.every((s) => s === 'sol'), sources.join(','));
});

test('estimate takes the TTFT serving constants from the form', async () => {
  const f = '#estimate-form';
  await page.fill(`${f} input[name=ttft_overhead_ms]`, '321');
  await page.fill(`${f} input[name=ttft_queue_share]`, '0');
  await page.click('#estimate-btn');
  await page.waitForFunction(() => /serving overhead[^\n]*321 ms/.test(document.querySelector('#est-ttft').textContent));
  assert.doesNotMatch(await page.textContent('#est-ttft'), /queued ahead/);
  await page.fill(`${f} input[name=ttft_overhead_ms]`, '');
  await page.fill(`${f} input[name=ttft_queue_share]`, '');
});

test('estimate takes the host time per iteration from the form: TPOT grows by it', async () => {
  const f = '#estimate-form';
  const tpot = async () => {
    const m = /TPOT\s*([\d.,]+) ms/.exec(await page.textContent('#est-summary'));
    assert.ok(m, 'no TPOT in the summary');
    return Number(m[1].replace(/,/g, ''));
  };
  await page.fill(`${f} input[name=step_host_ms]`, '0');
  await page.fill(`${f} input[name=step_host_per_req_ms]`, '0');
  await page.click('#estimate-btn');
  await page.waitForSelector('#estimate-result:not([hidden])');
  const base = await tpot();
  await page.fill(`${f} input[name=step_host_ms]`, '40');
  await page.click('#estimate-btn');
  await page.waitForFunction((b) => {
    const m = /TPOT\s*([\d.,]+) ms/.exec(document.querySelector('#est-summary').textContent);
    return m && Number(m[1].replace(/,/g, '')) > b + 39;
  }, base);
  assert.ok((await tpot()) - base < 41);
  await page.fill(`${f} input[name=step_host_ms]`, '');
  await page.fill(`${f} input[name=step_host_per_req_ms]`, '');
});

test('estimate a disaggregated deployment: worker fields, KV handoff in the TTFT', async () => {
  const f = '#estimate-form';
  assert.equal(await page.isVisible('#est-disagg-layout'), false);
  await page.selectOption(`${f} select[name=estimate_mode]`, 'disagg');
  assert.equal(await page.isVisible('#est-disagg-layout'), true);
  assert.equal(await page.isVisible('#est-agg-layout'), false);
  await page.fill(`${f} input[name=prefill_num_workers]`, '2');
  await page.fill(`${f} input[name=decode_tp_size]`, '2');
  await page.fill(`${f} input[name=ttft_handoff_iters]`, '7');
  await page.click('#estimate-btn');
  await page.waitForFunction(() => /Decode workers\s*1 x tp2pp1/.test(document.querySelector('#est-summary').textContent));
  assert.match(await page.textContent('#est-summary'), /Prefill workers\s*2 x tp1pp1/);
  assert.match(await page.textContent('#est-ttft'), /KV handoff \(decode-worker iterations\)\s*[\d.]+ ms/);
  await page.fill(`${f} input[name=ttft_handoff_iters]`, '');
  await page.selectOption(`${f} select[name=estimate_mode]`, 'agg');
  assert.equal(await page.isVisible('#est-disagg-layout'), false);
});

test('no page errors', () => {
  assert.deepEqual(pageErrors, []);
});

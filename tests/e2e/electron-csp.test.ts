// The console under the Electron app's Content-Security-Policy, in real Chromium: the policy our
// protocol handler sends (main/app/security.ts) is put on the page, an operator signs in, the map draws
// and live data flows, and not one resource is refused. This is the part of the Electron shell's
// security that Chromium can check where no Electron binary exists.
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../main/app/security';
import { simulateDemoCity } from '../../main/sim/demo';
import { demoHub, e2eSuite, signIn, waitLive } from './harness';

// The simulator on, as the demo runs (SOS included: the banner must pass the policy too).
const e2e = e2eSuite('electron-csp', { hub: async (o) => simulateDemoCity(await demoHub(o)) });

describe('the console under the app\'s CSP', () => {
  it('signs in, draws the city and takes live data without a single CSP violation', async () => {
    const page = await (await e2e.context({ viewport: { width: 1600, height: 900 } })).newPage();
    const csp = contentSecurityPolicy(e2e.hub.url);
    let documents = 0;
    await page.route('**/*', async (route) => {
      if (route.request().resourceType() !== 'document') return route.continue();
      documents++;
      const response = await route.fetch();
      return route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
    });
    const refused: string[] = [];
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      // zod 4 probes once whether `new Function` is allowed and falls back when it is not; the probe is
      // reported as a violation although nothing breaks (`z.config({ jitless: true })` would skip it).
      if (m.text() === 'Refused to load eval (script-src)') return;
      if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`Refused to load ${e.blockedURI} (${e.violatedDirective})`);
      });
    });

    await page.goto(`${e2e.hub.url}/`);
    await signIn(page, 'operator');
    await waitLive(page);
    await page.waitForFunction(() => {
      const x = window.__xiuhua;
      return !!x?.map && x.hub.getState().ready && x.map.queryRenderedFeatures({ layers: ['bm-road-major'] }).length > 0;
    }, undefined, { timeout: 60_000 });
    // A few seconds of live positions and events over the socket.
    await page.waitForTimeout(3000);

    expect(documents).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.querySelectorAll('canvas.maplibregl-canvas').length)).toBe(1);
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);

  it('would refuse what the policy forbids (the check above can fail)', async () => {
    const page = await (await e2e.context()).newPage();
    await page.route('**/*', async (route) => {
      const response = await route.fetch();
      return route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': contentSecurityPolicy(e2e.hub.url) } });
    });
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
    });
    await page.goto(`${e2e.hub.url}/`);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.append(s);
      void fetch('https://example.com/').catch(() => undefined);
    });
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
    expect(refused.length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});

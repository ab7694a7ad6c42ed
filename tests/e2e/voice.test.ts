// Push-to-talk end to end: two Chromium instances with fake audio devices playing a generated 1 kHz tone
// (ffmpeg) as their microphones — one for the operator's console, one for the phones (a phone for unit A,
// scoped to the talk, and a phone for unit C in another cell, which is not). The console holds F8 to
// talk to unit A: the tone arrives on phone A (its energy and its frequency measured with a Web Audio
// analyser, and the mouth-to-ear delay from the key going down to the tone rising there); phone C hears
// nothing. Then phone A holds its button to talk to the center, measured on the console the same way.
// Each talk's recording is on disk with its SHA-256 in the audit log. Last, a task reaching phone A is
// read aloud in Chinese, and the officer answers it with one button.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { startHub, type Hub } from '../../main/hub/server';
import { generateSecret } from '../../main/hub/auth';
import { auditPage, verifyAudit } from '../../main/store/audit';
import { insertDevice } from '../../main/store/people';
import { findTask } from '../../main/store/operations';
import { artifactsDir, buildConsole, FAKE_MEDIA_ARGS, launchChromium, standInVoice } from './harness';

const ARTIFACTS = artifactsDir('voice');
const TONE_HZ = 1000;
// Two browsers, each with the fake microphone (a tone file made below) and sound that plays unasked.
const baseArgs = ['--autoplay-policy=no-user-gesture-required', ...FAKE_MEDIA_ARGS];

let consoleBrowser: Browser;
let fieldBrowser: Browser;
let hub: Hub;
let dataDir: string;
let rendererDir: string;
const errors: string[] = [];
const contexts: BrowserContext[] = [];
const phones: Record<'a' | 'c', { id: string; secret: string; unitId: string }> = {} as never;

beforeAll(async () => {
  rendererDir = await buildConsole('voice');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-voice-e2e-'));
  // The microphone both browsers hear: a steady 1 kHz tone (Chromium loops the file).
  const tone = path.join(dataDir, 'tone.wav');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=${TONE_HZ}:sample_rate=48000:duration=20`, '-af', 'volume=4', '-ac', '1', tone]);
  hub = await startHub({ port: 0, dataDir, demo: true, rendererDir, log: () => undefined });
  const units = hub.db.prepare("SELECT id, cell_id AS cellId FROM units WHERE kind = 'officer' AND cell_id IS NOT NULL AND status != 'off_duty' ORDER BY id").all() as { id: string; cellId: string }[];
  const a = units[0]!;
  const c = units.find((u) => u.cellId !== a.cellId)!;
  for (const [key, unit] of [['a', a], ['c', c]] as const) {
    const s = generateSecret();
    insertDevice(hub.db, { id: `phone-${key}`, secretHash: s.hash, kind: 'terminal', unitId: unit.id, at: Date.now() });
    phones[key] = { id: `phone-${key}`, secret: s.secret, unitId: unit.id };
  }
  const args = [...baseArgs, `--use-file-for-fake-audio-capture=${tone}`];
  consoleBrowser = await launchChromium(args);
  fieldBrowser = await launchChromium(args);
}, 180_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') {
    for (const [i, c] of contexts.entries()) for (const p of c.pages()) await p.screenshot({ path: path.join(ARTIFACTS, `failed-${i}.png`) }).catch(() => undefined);
  }
}, 60_000);

afterAll(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  await consoleBrowser?.close();
  await fieldBrowser?.close();
  await hub?.close();
  for (const d of [dataDir, rendererDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

type Ear = { streams: number; rms: number; peakHz: number; onsetAt: number | null };
declare global {
  interface Window { __ear?: () => Ear; __earReset?: () => void }
}

/**
 * In the page before its code: every remote audio track a peer connection receives is fed to an
 * analyser; `__ear()` reports the loudest RMS seen, the frequency of the strongest bin and when the
 * level first rose above the floor (Date.now, the same clock as the other browser on this machine).
 * Plus one stand-in zh-CN voice whose speak() records what it was asked to say (no engine here).
 */
function instrument(): void {
  const Native = window.RTCPeerConnection;
  const streams: MediaStream[] = [];
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('track', (e) => streams.push(e.streams[0] ?? new MediaStream([e.track])));
    }
  } as typeof RTCPeerConnection;
  let ctx: AudioContext | null = null;
  const analysers = new Map<MediaStream, AnalyserNode>();
  let ear = { rms: 0, peakHz: 0, onsetAt: null as number | null };
  setInterval(() => {
    if (!streams.length) return;
    ctx ??= new AudioContext();
    void ctx.resume();
    for (const s of streams) {
      if (analysers.has(s)) continue;
      const a = ctx.createAnalyser();
      a.fftSize = 2048;
      ctx.createMediaStreamSource(s).connect(a);
      analysers.set(s, a);
    }
    for (const a of analysers.values()) {
      const wave = new Float32Array(a.fftSize);
      a.getFloatTimeDomainData(wave);
      const rms = Math.sqrt(wave.reduce((sum, v) => sum + v * v, 0) / wave.length);
      if (rms > 0.02 && ear.onsetAt === null) ear.onsetAt = Date.now();
      if (rms > ear.rms) {
        const bins = new Float32Array(a.frequencyBinCount);
        a.getFloatFrequencyData(bins);
        const peak = bins.indexOf(Math.max(...bins));
        ear = { ...ear, rms, peakHz: (peak * ctx.sampleRate) / a.fftSize };
      }
    }
  }, 10);
  window.__ear = () => ({ streams: streams.length, ...ear });
  window.__earReset = () => {
    ear = { rms: 0, peakHz: 0, onsetAt: null };
  };
}

async function newPage(browser: Browser, viewport: { width: number; height: number }, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', permissions: ['microphone'] });
  context.setDefaultTimeout(120_000);
  contexts.push(context);
  await context.addInitScript(instrument);
  await context.addInitScript(standInVoice);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
  return page;
}

async function phonePage(key: 'a' | 'c'): Promise<Page> {
  const page = await newPage(fieldBrowser, { width: 420, height: 860 }, `phone ${key}`);
  // The phone was enrolled before (enrolment has its own e2e): its credential is on it, as the field page keeps it.
  const { id: deviceId, secret, unitId } = phones[key];
  await page.addInitScript((c) => localStorage.setItem('xiuhua.field.credential', JSON.stringify(c)), { deviceId, secret, unitId });
  await page.goto(`${hub.url}/field`);
  await page.waitForSelector('[data-testid=field-voice][data-joined=true]');
  return page;
}

const ear = (page: Page) => page.evaluate(() => window.__ear!());

/** Waits until the tone is heard on `page`; the level and the frequency it arrived with. */
async function heard(page: Page): Promise<Ear> {
  await expect.poll(async () => (await ear(page)).onsetAt, { timeout: 60_000, interval: 100 }).not.toBeNull();
  // A few hundred ms more of tone for the analyser's strongest reading.
  await page.waitForTimeout(500);
  return ear(page);
}

const recordings = () => auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'voice:record' && e.outcome === 'accepted');

describe('push-to-talk', () => {
  it('console to unit A and back, measured at the ear; the unscoped phone hears nothing; both talks recorded with their hash', async () => {
    const operator = await newPage(consoleBrowser, { width: 1100, height: 700 }, 'console');
    await operator.goto(`${hub.url}/index.html`);
    await operator.fill('input[name=username]', 'operator');
    await operator.fill('input[name=password]', 'demo');
    await operator.click('button[type=submit]');
    await operator.waitForFunction(() => window.__xiuhua?.hub.getState().ready === true);
    const phoneA = await phonePage('a');
    const phoneC = await phonePage('c');

    await operator.click('[data-testid=voice-toggle]');
    await operator.waitForSelector('[data-testid=voice-panel][data-joined=true]');
    await operator.selectOption('[data-testid=voice-target]', `unit:${phones.a.unitId}`);
    await operator.locator('body').click({ position: { x: 5, y: 5 } }).catch(() => undefined); // focus away from the select
    // Key down: the clock the mouth-to-ear delay is measured from.
    const pressedAt = await operator.evaluate(() => Date.now());
    await operator.keyboard.down('F8');
    await operator.waitForSelector('.voice-panel .ptt.on');
    const atA = await heard(phoneA);
    await phoneA.waitForSelector('[data-testid=field-hearing]');
    await operator.waitForTimeout(1500); // a second and a half of speech in the recording
    await operator.keyboard.up('F8');
    await operator.waitForSelector('.voice-panel .ptt:not(.on)');
    const consoleToField = { delayMs: atA.onsetAt! - pressedAt, rms: atA.rms, peakHz: atA.peakHz };
    expect(consoleToField.rms).toBeGreaterThan(0.03); // silence is 0; the far end's gain control moves the level (0.11–0.32 measured)
    expect(Math.abs(consoleToField.peakHz - TONE_HZ)).toBeLessThan(60);
    expect(consoleToField.delayMs).toBeGreaterThan(0);
    // Phone C, in another cell, was on none of it: no call, no sound.
    expect(await ear(phoneC)).toMatchObject({ streams: 0, onsetAt: null });
    expect(await phoneC.locator('[data-testid=field-hearing]').count()).toBe(0);

    // The way back: phone A holds its button to talk to the center.
    await operator.evaluate(() => window.__earReset!());
    await phoneA.waitForSelector('[data-testid=field-hearing]', { state: 'detached' });
    const button = phoneA.locator('[data-testid=field-ptt]');
    const box = (await button.boundingBox())!;
    await phoneA.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const pressedOnPhone = await phoneA.evaluate(() => Date.now());
    await phoneA.mouse.down();
    await phoneA.waitForSelector('[data-testid=field-ptt].on');
    const atConsole = await heard(operator);
    await operator.waitForSelector('[data-testid=voice-hearing]');
    await phoneA.waitForTimeout(1500);
    await phoneA.mouse.up();
    await phoneA.waitForSelector('[data-testid=field-ptt]:not(.on)');
    const fieldToConsole = { delayMs: atConsole.onsetAt! - pressedOnPhone, rms: atConsole.rms, peakHz: atConsole.peakHz };
    expect(fieldToConsole.rms).toBeGreaterThan(0.03);
    expect(Math.abs(fieldToConsole.peakHz - TONE_HZ)).toBeLessThan(60);
    expect(await ear(phoneC)).toMatchObject({ streams: 0, onsetAt: null });

    // Both recordings stored: the files on disk hash to what the audit log holds; the chain verifies.
    await expect.poll(() => recordings().length, { timeout: 60_000 }).toBe(2);
    await operator.waitForSelector('[data-testid=voice-uploads]', { state: 'detached' });
    for (const entry of recordings()) {
      const detail = (entry.payload as { detail: { sha256: string; file: string; channel: string; bytes: number } }).detail;
      expect(detail.channel).toBe(`unit:${phones.a.unitId}`);
      const bytes = fs.readFileSync(path.join(dataDir, detail.file));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(detail.sha256);
      expect(bytes.length).toBe(detail.bytes);
      expect(bytes.subarray(0, 4).toString('hex')).toBe('1a45dfa3'); // a WebM (EBML) file
    }
    expect(recordings().map((e) => e.actor).sort()).toEqual(['operator', 'phone-a']);
    expect(verifyAudit(hub.db).ok).toBe(true);

    // Playable from the unit's panel: both talks listed with their hash, and one plays from the hub's copy.
    const badge = hub.db.prepare('SELECT badge FROM units WHERE id = ?').pluck().get(phones.a.unitId) as string;
    await operator.fill('[data-testid=search]', badge);
    await operator.press('[data-testid=search]', 'Enter');
    await expect.poll(() => operator.locator('[data-testid=unit-talks] li[data-talk]').count(), { timeout: 30_000 }).toBe(2);
    const hashes = recordings().map((e) => (e.payload as { detail: { sha256: string } }).detail.sha256.slice(0, 12));
    for (const h of hashes) expect(await operator.locator('[data-testid=unit-talks]').innerText()).toContain(h);
    await operator.locator('[data-testid=talk-play]').first().click();
    await expect.poll(() => operator.evaluate(() => {
      const a = document.querySelector<HTMLAudioElement>('[data-testid=talk-audio]');
      return a && !a.error ? a.readyState : -1;
    }), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    expect(errors).toEqual([]);
    console.log(`voice e2e: console→field ${JSON.stringify(consoleToField)}; field→console ${JSON.stringify(fieldToConsole)}`);
    fs.writeFileSync(path.join(ARTIFACTS, 'figures.json'), JSON.stringify({ consoleToField, fieldToConsole }, null, 2));
  }, 300_000);

  it('a task reaching the field page is read aloud in Chinese and answered with one button', async () => {
    const phoneA = contexts.flatMap((c) => c.pages()).find((p) => p.url().endsWith('/field'))!;
    const operator = io(`${hub.url}/console`, { auth: { username: 'operator', password: 'demo' }, transports: ['websocket'] });
    try {
      await new Promise((r) => operator.once('session:ready', r));
      const created = await operator.timeout(10_000).emitWithAck('incident:create', {
        commandId: `voice-e2e-inc-${Date.now()}`, category: 'cityscape', priority: 1, position: [118.7835, 32.0415], description: '占道经营',
      });
      expect(created.ok).toBe(true);
      const assigned = await operator.timeout(10_000).emitWithAck('task:assign', {
        commandId: `voice-e2e-task-${Date.now()}`, incidentId: created.result.incident.id, unitId: phones.a.unitId, note: '请到新街口处置占道经营',
      });
      expect(assigned.ok, assigned.error?.message).toBe(true);
      const taskId = assigned.result.task.id as string;
      await phoneA.waitForSelector(`[data-testid=field-dispatch][data-task="${taskId}"]`);
      await expect.poll(() => phoneA.evaluate(() => window.__spoken!.length)).toBeGreaterThan(0);
      const said = await phoneA.evaluate(() => window.__spoken!.at(-1)!);
      expect(said.lang).toBe('zh-CN');
      expect(said.text).toContain('新任务');
      expect(said.text).toContain('请到新街口处置占道经营');
      expect(said.text).not.toContain(created.result.incident.id); // an id read aloud helps nobody
      await phoneA.click('[data-testid=field-roger]');
      await expect.poll(() => findTask(hub.db, taskId)?.state).toBe('accepted');
    } finally {
      operator.disconnect();
    }
  }, 120_000);
});

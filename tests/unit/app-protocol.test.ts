// Serving our pages from xiuhua://app/: files from the renderer folder only, always with our CSP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appResponse, resolveAppFile } from '../../main/app/app-protocol';

let dir = '';
let rendererDir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-proto-'));
  rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Xiuhua</title>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for pages');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('resolveAppFile', () => {
  it('maps our URLs into the renderer folder', () => {
    expect(resolveAppFile(rendererDir, 'xiuhua://app/')).toBe(path.join(rendererDir, 'index.html'));
    expect(resolveAppFile(rendererDir, 'xiuhua://app/assets/index-abc.js?v=1')).toBe(path.join(rendererDir, 'assets', 'index-abc.js'));
  });

  it.each([
    'xiuhua://app/../secret.txt',
    'xiuhua://app/%2e%2e/secret.txt',
    'xiuhua://app/assets/..%2F..%2Fsecret.txt',
    'xiuhua://app/%2F..%2F..%2Fsecret.txt',
    'xiuhua://app/%00index.html',
    'xiuhua://evil/index.html',
    'http://127.0.0.1:8420/index.html',
  ])('never leaves it: %s', (url) => {
    const file = resolveAppFile(rendererDir, url);
    expect(file === null || file.startsWith(rendererDir + path.sep)).toBe(true);
    expect(file).not.toBe(path.join(dir, 'secret.txt'));
  });
});

describe('appResponse', () => {
  it('serves a page with its type and our CSP naming the hub', async () => {
    const r = await appResponse(rendererDir, 'GET', 'xiuhua://app/index.html?view=console', 'http://127.0.0.1:40001');
    expect(r.status).toBe(200);
    expect(r.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(r.headers['Content-Security-Policy']).toContain("script-src 'self'");
    expect(r.headers['Content-Security-Policy']).toContain('ws://127.0.0.1:40001');
    expect(r.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(Buffer.from(r.body ?? new Uint8Array()).toString()).toContain('<title>Xiuhua</title>');
  });

  it('answers 404 outside the folder or for missing files, 405 for writes, always with the CSP', async () => {
    for (const url of ['xiuhua://app/missing.js', 'xiuhua://app/%2F..%2Fsecret.txt', 'xiuhua://evil/index.html']) {
      const r = await appResponse(rendererDir, 'GET', url, null);
      expect([url, r.status, r.body]).toEqual([url, 404, null]);
      expect(r.headers['Content-Security-Policy']).toContain("default-src 'none'");
    }
    expect((await appResponse(rendererDir, 'POST', 'xiuhua://app/index.html', null)).status).toBe(405);
  });
});

// The tile's token renewal: hls.js keeps asking for the URL it was first given, and every request it makes
// for that camera goes out with the newest media token instead — and to nowhere else.
import { describe, expect, it } from 'vitest';
import { spreadOverHosts, withFreshToken } from '../../renderer/src/video/media-hosts';

const HUB = 'http://127.0.0.1:8420';

describe('withFreshToken', () => {
  it('puts the newest token on the playlist and on segment requests of the same camera', () => {
    const fresh = `${HUB}/media/cam-001/index.m3u8?token=m1.new`;
    expect(withFreshToken(`${HUB}/media/cam-001/index.m3u8?token=m1.old`, fresh)).toBe(fresh);
    expect(withFreshToken(`${HUB}/media/cam-001/seg1786.ts?token=m1.old`, fresh)).toBe(`${HUB}/media/cam-001/seg1786.ts?token=m1.new`);
    expect(withFreshToken('/media/cam-001/seg1.ts?token=a', '/media/cam-001/index.m3u8?token=b')).toBe('/media/cam-001/seg1.ts?token=a'); // not absolute: left alone
  });

  it('never moves a token to another camera, another host, or a request that carried none', () => {
    const fresh = `${HUB}/media/cam-001/index.m3u8?token=m1.new`;
    for (const other of [
      `${HUB}/media/cam-002/index.m3u8?token=m1.old`,
      'http://evil.example/media/cam-001/index.m3u8?token=m1.old',
      'http://localhost:8420/media/cam-001/index.m3u8?token=m1.old',
      'https://cdn.example/live/index.m3u8',
      `${HUB}/media/cam-001/index.m3u8`,
    ]) expect(withFreshToken(other, fresh), other).toBe(other);
    expect(withFreshToken(`${HUB}/media/cam-001/index.m3u8?token=x`, 'https://cdn.example/live/index.m3u8')).toBe(`${HUB}/media/cam-001/index.m3u8?token=x`);
  });

  it('keeps working on a tile whose requests were spread to another name of the hub', () => {
    const first = spreadOverHosts(`${HUB}/media/cam-001/index.m3u8?token=m1.old`, 1, undefined, HUB);
    const renewed = spreadOverHosts(`${HUB}/media/cam-001/index.m3u8?token=m1.new`, 1, undefined, HUB);
    expect(new URL(first).hostname).toBe('localhost');
    expect(withFreshToken(first.replace('index.m3u8', 'seg7.ts'), renewed)).toBe(renewed.replace('index.m3u8', 'seg7.ts'));
  });
});

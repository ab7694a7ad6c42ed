// Camera sources at the schema (shared/, no file system) and in the ffmpeg arguments built from them:
// nothing a client sends can become an ffmpeg option or an unexpected protocol.
import { describe, expect, it } from 'vitest';
import { StreamSource } from '../../shared/domain';
import { probeVideoCodec, pulledArgs } from '../../main/media/ffmpeg';

const problem = (kind: string, url: string) => {
  const r = StreamSource.safeParse({ kind, url });
  return r.success ? null : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
};

describe('camera source schema', () => {
  it('accepts the sources a center really has', () => {
    for (const [kind, url] of [
      ['rtsp', 'rtsp://admin:pw@10.0.0.5:554/Streaming/Channels/101'], ['rtsp', 'rtsps://cam.example/live'],
      ['rtmp', 'rtmp://media.example/live/body-07'], ['hls', 'https://cdn.example/live/index.m3u8'], ['hls', 'http://10.0.0.9/x.m3u8'],
      ['file', '/var/lib/xiuhua/videos/demo.mp4'], ['file', 'C:\\xiuhua\\videos\\demo.mp4'], ['testsrc', 'testsrc:cam-a'],
    ]) expect(problem(kind!, url!), `${kind} ${url}`).toBeNull();
  });

  it('refuses anything ffmpeg would read as an option', () => {
    for (const kind of ['rtsp', 'rtmp', 'hls', 'file', 'testsrc']) expect(problem(kind, '-version'), kind).toMatch(/^url: a source may not start with "-"/);
    expect(problem('file', '-i')).not.toBeNull();
  });

  it('refuses URL schemes other than the kind\'s own', () => {
    expect(problem('rtsp', 'concat:/etc/passwd|/etc/shadow')).toMatch(/rtsp or rtsps URL/);
    expect(problem('rtsp', 'file:/etc/passwd')).toMatch(/rtsp or rtsps URL/);
    expect(problem('rtsp', 'http://cam.example/live')).toMatch(/rtsp or rtsps URL/);
    expect(problem('hls', 'javascript:alert(1)')).toMatch(/http or https URL/);
    expect(problem('hls', 'data:application/vnd.apple.mpegurl,#EXTM3U')).toMatch(/http or https URL/);
    expect(problem('rtmp', 'subfile,,start,0,end,100,,:/etc/passwd')).not.toBeNull();
    expect(problem('rtsp', 'cam.example/live')).toMatch(/not a URL/);
    expect(problem('rtsp', 'rtsp://cam.example/live -y /tmp/x')).toMatch(/spaces or control characters/);
    expect(problem('rtsp', 'rtsp:///live')).not.toBeNull();
  });

  it('refuses relative file paths, dot segments and control characters', () => {
    expect(problem('file', 'videos/demo.mp4')).toMatch(/absolute path/);
    expect(problem('file', 'concat:/a.mp4|/b.mp4')).toMatch(/absolute path/);
    expect(problem('file', '/var/lib/xiuhua/../../../etc/passwd')).toMatch(/"\." or "\.\." segments/);
    expect(problem('file', '/var/lib/xiuhua/./x.mp4')).toMatch(/segments/);
    expect(problem('file', 'C:\\xiuhua\\..\\Windows\\win.ini')).toMatch(/segments/);
    expect(problem('file', '/var/lib/xiuhua/a\nb.mp4')).toMatch(/control characters/);
    expect(problem('file', '')).toMatch(/needs a url/);
    expect(problem('testsrc', 'testsrc:a b')).not.toBeNull();
  });
});

describe('ffmpeg input arguments', () => {
  it('name the input with -i, a file through the file protocol only', () => {
    const args = pulledArgs({ kind: 'file', url: '/data/videos/demo.mp4' }, 'h264', '/data/media/cam', 1);
    expect(args[args.indexOf('-i') + 1]).toBe('file:/data/videos/demo.mp4');
    expect(args[args.indexOf('-protocol_whitelist') + 1]).toBe('file');
    expect(args.indexOf('-protocol_whitelist')).toBeLessThan(args.indexOf('-i'));
    const rtsp = pulledArgs({ kind: 'rtsp', url: 'rtsp://cam.example/live' }, 'h264', '/data/media/cam', 1);
    expect(rtsp[rtsp.indexOf('-i') + 1]).toBe('rtsp://cam.example/live');
  });

  it('refuse a stored source that starts with "-" rather than pass it on', async () => {
    expect(() => pulledArgs({ kind: 'rtsp', url: '-version' }, 'h264', '/data/media/cam', 1)).toThrow(/starts with "-"/);
    await expect(probeVideoCodec('ffprobe', { kind: 'rtsp', url: '-version' })).rejects.toThrow(/starts with "-"/);
  });
});

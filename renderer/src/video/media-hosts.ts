// Browsers open at most six HTTP/1.1 connections per host. A 16-tile wall makes about 32 short requests a
// second; when the hub answers slowly (a busy machine) they queue for those six and tiles stall. Names
// that reach the same hub each get their own six, so a wall spreads its tiles over them.

const LOOPBACK = ['127.0.0.1', 'localhost'];

/**
 * The stream URL for a tile, moved to one of `hosts` by tile index. Only names in the list are used, and only
 * when the URL's own host is in it too, so a token is never sent to a host that is not the hub.
 * Without a list, a hub on this machine is reached as both 127.0.0.1 and localhost.
 */
export function spreadOverHosts(url: string, tileIndex: number, hosts: readonly string[] | undefined, base: string): string {
  const parsed = new URL(url, base);
  const names = hosts ?? (LOOPBACK.includes(parsed.hostname) ? LOOPBACK : []);
  if (names.length < 2 || !names.includes(parsed.hostname)) return url;
  parsed.hostname = names[tileIndex % names.length] as string;
  return parsed.href;
}

/**
 * A request hls.js is about to make, carrying the token of `fresh` instead of its own. Media tokens live a
 * few minutes and hls.js keeps fetching the playlist URL it was first given, so the tile renews the URL
 * and every playlist and segment request takes the newest token. Only requests for the same camera on the
 * same host are touched (a token is never sent anywhere else); anything else is returned as it was.
 */
export function withFreshToken(requestUrl: string, fresh: string): string {
  let req: URL;
  let next: URL;
  try {
    req = new URL(requestUrl);
    next = new URL(fresh, req);
  } catch {
    return requestUrl;
  }
  const dir = (u: URL) => u.pathname.slice(0, u.pathname.lastIndexOf('/') + 1);
  const token = next.searchParams.get('token');
  if (token === null || !req.searchParams.has('token') || req.origin !== next.origin || dir(req) !== dir(next)) return requestUrl;
  req.searchParams.set('token', token);
  return req.href;
}

// Where the phone is: geolocation watched for the whole shift (with each fix's time and accuracy, which
// a check-in needs), and the post to check in at — the shift's post if there is one, else the nearest.
import { useEffect, useState } from 'react';
import type { LngLat } from '../../../shared/domain';
import { distanceM } from '../../../shared/geo';
import type { ProfilePost, UnitProfile } from '../../../shared/protocol/enrol';

export type Fix = { at: LngLat; t: number; accuracy: number };

/** One fix per 5 s unless the page's address says otherwise (`?fixEvery=<seconds>`, 0 = every fix the phone gives, at most 300). */
export function fixEveryMs(search: string): number {
  const raw = new URLSearchParams(search).get('fixEvery')?.trim();
  const s = raw ? Number(raw) : NaN;
  return Number.isFinite(s) && s >= 0 ? Math.min(s, 300) * 1000 : 5000;
}
export type Located = { fix: Fix | null; problem: 'unsupported' | 'denied' | 'unavailable' | null };

export function useFix(): Located {
  const [state, setState] = useState<Located>({ fix: null, problem: null });
  useEffect(() => {
    if (!navigator.geolocation) {
      setState({ fix: null, problem: 'unsupported' });
      return;
    }
    const id = navigator.geolocation.watchPosition(
      (p) => setState({
        fix: { at: [p.coords.longitude, p.coords.latitude], t: Math.round(p.timestamp), accuracy: Math.min(10_000, p.coords.accuracy) },
        problem: null,
      }),
      (e) => setState((s) => ({ fix: s.fix, problem: e.code === e.PERMISSION_DENIED ? 'denied' : 'unavailable' })),
      { enableHighAccuracy: true, maximumAge: 10_000 },
    );
    return () => navigator.geolocation.clearWatch(id);
  }, []);
  return state;
}

/** The post a check-in goes to, with how far it is: the shift's post (the only one the hub accepts then), else the nearest of the unit's posts. */
export function checkInPost(profile: UnitProfile | null, fix: Fix | null): { post: ProfilePost; distanceM: number | null } | null {
  if (!profile) return null;
  const away = (p: ProfilePost) => (fix ? distanceM(fix.at, p.center) : null);
  if (profile.shiftPost) return { post: profile.shiftPost, distanceM: away(profile.shiftPost) };
  if (profile.posts.length === 0) return null;
  if (!fix) return { post: profile.post ?? profile.posts[0]!, distanceM: null };
  const nearest = profile.posts.reduce((best, p) => (away(p)! < away(best)! ? p : best));
  return { post: nearest, distanceM: away(nearest) };
}

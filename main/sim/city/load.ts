// Synthetic extra units for load tests (the hub seeds them with --units N): officers spread round
// the posts and vehicles round the routes, so 20,000 units load every cell and route evenly.
import { z } from 'zod';
import type { DemoCity } from '../../../shared/city';
import { Unit } from '../../../shared/domain';
import { forkRng } from './rng';

const VEHICLE_SHARE = 0.12;

/** n load units, ids load-00001…; the same (city, n, seed) always gives the same units, and a
 * smaller n gives a prefix of a larger one. */
export function loadUnits(city: DemoCity, n: number, seed: number): Unit[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`load unit count must be a whole number ≥ 0, got ${n}`);
  const posts = city.areas.filter((a) => a.kind === 'post');
  const routes = city.routes;
  if (posts.length === 0) throw new Error('the city has no posts to spread load units over');
  const rng = forkRng(seed, 'load-units');
  const units: Unit[] = [];
  let [nextPost, nextRoute] = [0, 0];
  for (let i = 1; i <= n; i++) {
    const id = `load-${String(i).padStart(5, '0')}`;
    const vehicle = routes.length > 0 && rng.chance(VEHICLE_SHARE);
    const statusRoll = rng.next();
    if (vehicle) {
      const route = routes[nextRoute++ % routes.length]!;
      units.push({ id, kind: 'vehicle', name: `负载车辆${i}`, badge: null, plate: `LOAD-V${i}`, squad: '负载测试', cellId: null, postId: null, routeId: route.id, cameraId: null, status: 'patrolling' });
    } else {
      const post = posts[nextPost++ % posts.length]!;
      units.push({ id, kind: 'officer', name: `负载队员${i}`, badge: `LOAD-${i}`, plate: null, squad: '负载测试', cellId: post.parentId, postId: post.id, routeId: null, cameraId: null, status: statusRoll < 0.6 ? 'on_post' : 'patrolling' });
    }
  }
  return z.array(Unit).parse(units);
}

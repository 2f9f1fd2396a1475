/**
 * Device platforms condition (graph-shapes §1.1 platforms): `all` or listed platforms, minus
 * excluded ones. [E7]: the platform comes from the user agent (see platform.ts); an unknown
 * platform is matched only by `all` and can never be excluded by name.
 */
import { defineCondition } from './define.ts';

interface Prepared { all: boolean; include: Set<string>; exclude: Set<string> }

export const devicePlatformsCondition = defineCondition<Prepared>({
  id: 'devicePlatforms',
  logName: 'devicePlatform',
  whatIfReason: 'devicePlatform',
  prepare(policy) {
    const p = policy.conditions.platforms;
    if (!p || (p.includePlatforms.length === 0 && p.excludePlatforms.length === 0)) return null;
    return { all: p.includePlatforms.includes('all'), include: new Set(p.includePlatforms), exclude: new Set(p.excludePlatforms) };
  },
  evaluate(p, _ctx, scratch) {
    const platform = scratch.devicePlatform();
    if (platform && (p.exclude.has(platform) || p.exclude.has('all'))) return 'no-match';
    if (p.all) return 'match';
    return platform && p.include.has(platform) ? 'match' : 'no-match';
  },
});

/**
 * Locations condition (graph-shapes §1.1, §2, [E8]): named-location ids, `All` (every IP, not
 * just named ranges) and `AllTrusted` (trusted IP named locations plus the legacy MFA trusted IPs
 * given as a trusted location with id `mfaTrustedIps`). Excluded locations always win. An id that
 * names no location (a deleted one, or a template placeholder) matches nothing.
 */
import { defineCondition, type CompileEnv, type EvalScratch } from './define.ts';
import { locationContains, parseIp, type CompiledNamedLocation } from '../named-locations.ts';
import type { PolicySignInContext } from '../context.ts';

interface Side { all: boolean; allTrusted: boolean; locations: CompiledNamedLocation[] }
interface Prepared { include: Side; exclude: Side; trusted: CompiledNamedLocation[] }

function side(ids: readonly string[], env: CompileEnv): Side {
  const locations: CompiledNamedLocation[] = [];
  for (const id of ids) {
    const l = env.namedLocations.get(id.toLowerCase());
    if (l) locations.push(l);
  }
  return { all: ids.includes('All'), allTrusted: ids.includes('AllTrusted'), locations };
}

function inLocation(l: CompiledNamedLocation, ctx: PolicySignInContext, scratch: EvalScratch): boolean {
  let hit = scratch.locationHits.get(l.id);
  if (hit === undefined) {
    if (scratch.ip === undefined) scratch.ip = parseIp(ctx.ipAddress);
    hit = locationContains(l, scratch.ip, ctx.country, ctx.gpsCountry ?? null);
    scratch.locationHits.set(l.id, hit);
  }
  return hit;
}

function sideMatches(s: Side, trusted: CompiledNamedLocation[], ctx: PolicySignInContext, scratch: EvalScratch): boolean {
  if (s.all) return true;
  if (s.allTrusted && trusted.some((l) => inLocation(l, ctx, scratch))) return true;
  return s.locations.some((l) => inLocation(l, ctx, scratch));
}

export const locationsCondition = defineCondition<Prepared>({
  id: 'locations',
  logName: 'location',
  whatIfReason: 'location',
  prepare(policy, env) {
    const l = policy.conditions.locations;
    if (!l || (l.includeLocations.length === 0 && l.excludeLocations.length === 0)) return null;
    const trusted = [...env.namedLocations.values()].filter((x) => x.isTrusted);
    // An exclude-only condition means "everywhere except": include defaults to All.
    const include = l.includeLocations.length ? side(l.includeLocations, env) : { all: true, allTrusted: false, locations: [] };
    return { include, exclude: side(l.excludeLocations, env), trusted };
  },
  evaluate(p, ctx, scratch) {
    if (sideMatches(p.exclude, p.trusted, ctx, scratch)) return 'no-match';
    return sideMatches(p.include, p.trusted, ctx, scratch) ? 'match' : 'no-match';
  },
});

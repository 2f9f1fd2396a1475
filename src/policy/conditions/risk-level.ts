/**
 * Shared shape of the risk conditions (graph-shapes §1.1, §10 "risk conditions match the current
 * sign-in/user/SP/insider risk level"): configured when the policy lists levels; matches when the
 * level identity protection put in the context is listed. An absent level is `none`.
 */
export function levelSet(levels: readonly string[] | string | null | undefined): Set<string> | null {
  const list = typeof levels === 'string' ? levels.split(',') : levels ?? [];
  return list.length ? new Set(list) : null;
}

/**
 * Browser / OS families for comparison. Versions change with every update, so baselines and token-issuance
 * comparisons use the family ("Chrome", "Windows"), never the version.
 */
export function family(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const f = s.trim().replace(/[\s/]*v?\d[\w.]*.*$/, '').toLowerCase();
  return f === '' ? undefined : f;
}

/** A coarse family from a raw user agent when the core gave no parsed browser/OS. */
export function userAgentFamily(ua: string | undefined): string | undefined {
  if (!ua) return undefined;
  const s = ua.toLowerCase();
  const os = s.includes('windows') ? 'windows' : s.includes('iphone') || s.includes('ipad') ? 'ios' : s.includes('android') ? 'android'
    : s.includes('mac os') ? 'macos' : s.includes('linux') ? 'linux' : 'other';
  const br = s.includes('edg/') ? 'edge' : s.includes('firefox') ? 'firefox' : s.includes('chrome') ? 'chrome'
    : s.includes('safari') ? 'safari' : s.includes('python') ? 'python' : s.includes('curl') ? 'curl' : s.includes('go-http') ? 'go' : 'other';
  return `${br}/${os}`;
}

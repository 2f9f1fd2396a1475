/** Operating system and browser from a User-Agent (ua-parser-js 1.x, MIT), cached: few distinct agents repeat. */
import { UAParser } from 'ua-parser-js';

export interface AgentInfo { operatingSystem: string; browser: string; platform: 'windows' | 'macOS' | 'iOS' | 'android' | 'linux' | 'windowsPhone' | 'unknown'; isBrowser: boolean }

const cache = new Map<string, AgentInfo>();

export function parseUserAgent(ua: string): AgentInfo {
  const hit = cache.get(ua);
  if (hit) return hit;
  const r = new UAParser(ua.slice(0, 512)).getResult();
  const os = r.os.name ?? '';
  const platform: AgentInfo['platform'] = /windows phone/i.test(os) ? 'windowsPhone' : /windows/i.test(os) ? 'windows' : /mac os/i.test(os) ? 'macOS'
    : /ios/i.test(os) ? 'iOS' : /android/i.test(os) ? 'android' : /linux|ubuntu|debian|fedora|chrom/i.test(os) ? 'linux' : 'unknown';
  const info: AgentInfo = {
    operatingSystem: os ? `${os}${r.os.version ? ` ${r.os.version.split('.')[0]}` : ''}` : '',
    browser: r.browser.name ? `${r.browser.name} ${r.browser.version?.split('.')[0] ?? ''}`.trim() : '',
    platform,
    isBrowser: Boolean(r.browser.name) && /mozilla\//i.test(ua),
  };
  if (cache.size > 5000) cache.clear();
  cache.set(ua, info);
  return info;
}

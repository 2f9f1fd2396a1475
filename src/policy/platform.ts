/**
 * Device platform of a sign-in for the platforms condition. [E7]: the platform comes from the
 * (spoofable) user agent; a registered device's operating system is used first when present.
 */
import type { DevicePlatform } from './schema/enums.ts';
import type { PolicyDevice } from './context.ts';

const osRules: ReadonlyArray<[RegExp, DevicePlatform]> = [
  [/windows phone/i, 'windowsPhone'],
  [/android/i, 'android'],
  [/iphone|ipad|ipod|\bios\b|ipados/i, 'iOS'],
  [/mac ?os|macintosh|os x/i, 'macOS'],
  [/windows/i, 'windows'],
  [/linux|ubuntu|x11/i, 'linux'],
];

export function platformFromText(text: string | null | undefined): DevicePlatform | null {
  if (!text) return null;
  for (const [re, p] of osRules) if (re.test(text)) return p;
  return null;
}

/** The device's operating system when registered, else the user agent; null when neither tells. */
export function resolveDevicePlatform(device: PolicyDevice | null, userAgent: string | undefined): DevicePlatform | null {
  return platformFromText(device?.operatingSystem) ?? platformFromText(userAgent);
}

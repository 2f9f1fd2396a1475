/**
 * Device signals reported by an endpoint agent (seed 002: "attempted access to the primary refresh token —
 * Defender for Endpoint detects suspicious access to the PRT and related artefacts"). The agent posts signals;
 * `parseDeviceSignal` validates them into a typed value the engine turns into an attemptedPrtAccess detection
 * (user activity, high — a process reading the session key material is token theft in progress).
 */
import { z } from 'zod';

export const deviceSignalSchema = z.object({
  type: z.literal('attemptedPrtAccess'),
  deviceId: z.string().min(1).max(128),
  userId: z.string().min(1).max(128),
  userPrincipalName: z.string().min(3).max(256),
  /** ISO 8601 time the agent observed the access. */
  observedDateTime: z.iso.datetime({ offset: true }),
  processName: z.string().max(260).optional(),
  processId: z.number().int().nonnegative().optional(),
  reportedBy: z.string().max(128).optional(),
  ipAddress: z.string().max(64).optional(),
});
export type DeviceSignal = z.infer<typeof deviceSignalSchema>;

export class DeviceSignalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceSignalError';
  }
}

export function parseDeviceSignal(input: unknown): DeviceSignal {
  const r = deviceSignalSchema.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new DeviceSignalError(`invalid device signal: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unknown error'}`);
  }
  return r.data;
}

/**
 * Identity protection wired into the service: one risk engine per tenant (baselines live in its
 * memory; records in the tenant's risk repository), sharing one geolocation/ASN lookup. Risky-user
 * and detection changes are mirrored to the AADUserRiskEvents / AADRiskyUsers /
 * AADRiskyServicePrincipals / AADServicePrincipalRiskEvents tables.
 */
import { createRiskEngine, type RiskEngine } from '../risk/engine.ts';
import { createGeoLookup, type GeoInfo, type GeoLookup } from '../risk/geo/lookup.ts';
import { riskyServicePrincipalRow, riskyUserRow, servicePrincipalRiskEventRow, userRiskEventRow } from '../risk/log-rows.ts';
import type { AnalyticsStore } from '../logs/analytics-store.ts';
import type { Store } from '../store/types.ts';
import type { RiskRepository } from '../risk/repository.ts';
import { verifyPassword } from '../directory/passwords.ts';
import { safeEqual, sha256 } from '../util/ids.ts';

/** Detections are mirrored to the log tables as they are stored. */
function mirrored(repo: RiskRepository, logs: AnalyticsStore, tenantId: string): RiskRepository {
  return {
    ...repo,
    async addDetections(items) {
      await repo.addDetections(items);
      if (items.length) logs.append('AADUserRiskEvents', items.map((d) => userRiskEventRow(d, { tenantId })));
    },
    async addServicePrincipalDetections(items) {
      await repo.addServicePrincipalDetections(items);
      if (items.length) logs.append('AADServicePrincipalRiskEvents', items.map((d) => servicePrincipalRiskEventRow(d, { tenantId })));
    },
  };
}

export class RiskService {
  private engines = new Map<string, RiskEngine>();
  private geoLookup: GeoLookup | undefined;
  private readonly fingerprintKey: Uint8Array;

  constructor(private readonly store: Store, private readonly logs: AnalyticsStore, key: Uint8Array) {
    this.fingerprintKey = key;
  }

  /** The geolocation/ASN lookup, opened on first use (the city database is ~130 MB). */
  geo(): GeoLookup {
    this.geoLookup ??= createGeoLookup();
    return this.geoLookup;
  }

  locate(ip: string): GeoInfo {
    try {
      return this.geo().lookup(ip);
    } catch {
      return { known: false, isHosting: false };
    }
  }

  engine(tenantId: string): RiskEngine {
    let e = this.engines.get(tenantId);
    if (e) return e;
    const store = this.store;
    const logs = this.logs;
    e = createRiskEngine({
      geo: this.geo(),
      repo: mirrored(store.risk(tenantId), logs, tenantId),
      passwordFingerprintKey: this.fingerprintKey,
      directory: {
        getUser: async (id) => {
          const u = await store.users.get(tenantId, id);
          return u && { id: u.id, userPrincipalName: u.userPrincipalName, displayName: u.displayName };
        },
        getUserByPrincipalName: async (upn) => {
          const u = await store.users.getByUpn(tenantId, upn);
          return u && { id: u.id, userPrincipalName: u.userPrincipalName, displayName: u.displayName };
        },
        getServicePrincipal: async (id) => {
          const sp = await store.servicePrincipals.get(tenantId, id);
          return sp && { id: sp.id, appId: sp.appId, displayName: sp.displayName };
        },
      },
      credentials: {
        // Leaked-credential reports are matched against current credentials; plaintext is never kept.
        verifyPassword: async (upn, pw) => {
          const u = await store.users.getByUpn(tenantId, upn);
          return u ? verifyPassword(u.passwordHash, pw) : false;
        },
        matchClientSecret: async (secret) => {
          const h = sha256(secret);
          for (const app of await store.applications.list(tenantId)) {
            for (const c of await store.applications.credentials(app.appId)) {
              if (c.secretHash && safeEqual(c.secretHash, h) && c.endAt > Date.now()) {
                const sp = await store.servicePrincipals.getByAppId(tenantId, app.appId);
                if (sp) return { servicePrincipalId: sp.id, appId: app.appId, displayName: sp.displayName, keyId: c.keyId };
              }
            }
          }
          return undefined;
        },
      },
      onRiskyUserChanged: (u) => logs.append('AADRiskyUsers', [riskyUserRow(u, { tenantId })]),
      onRiskyServicePrincipalChanged: (sp) => logs.append('AADRiskyServicePrincipals', [riskyServicePrincipalRow(sp, { tenantId })]),
    });
    this.engines.set(tenantId, e);
    void e.warmUserRisk?.().catch(() => undefined);
    return e;
  }

  tenants(): string[] {
    return [...this.engines.keys()];
  }
}

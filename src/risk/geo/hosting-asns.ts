/**
 * Autonomous systems of hosting / cloud / CDN providers. A sign-in from one of these is not from a home or office
 * line: it is a server, a VPN exit or a proxy — the network an attacker replaying a stolen token usually rents
 * (seed 004: "hosting/non-hosting IP change" is one of the workload baseline properties).
 * Numbers checked against the organisation names in @ip-location-db/asn (2026-06). Operators extend the set with
 * `createGeoLookup({ extraHostingAsns })`.
 */
export const hostingAsns: ReadonlyMap<number, string> = new Map<number, string>([
  [16509, 'Amazon (AWS)'], [14618, 'Amazon (AWS)'], [8987, 'Amazon (AWS) Ireland'],
  [8075, 'Microsoft (Azure)'], [8068, 'Microsoft'], [8069, 'Microsoft'],
  [396982, 'Google Cloud'], [15169, 'Google'], [19527, 'Google'], [139070, 'Google Asia Pacific'],
  [14061, 'DigitalOcean'],
  [16276, 'OVH'], [35540, 'OVH'],
  [24940, 'Hetzner'], [213230, 'Hetzner'], [212317, 'Hetzner'],
  [63949, 'Akamai (Linode)'], [20940, 'Akamai'],
  [20473, 'Vultr (The Constant Company)'],
  [31898, 'Oracle Cloud'],
  [45102, 'Alibaba Cloud'], [37963, 'Alibaba Cloud'],
  [132203, 'Tencent Cloud'], [45090, 'Tencent Cloud'],
  [13335, 'Cloudflare'], [209242, 'Cloudflare'],
  [12876, 'Scaleway'], [51167, 'Contabo'], [9009, 'M247'],
  [60781, 'Leaseweb'], [16265, 'Leaseweb'], [28753, 'Leaseweb'],
  [8560, 'IONOS'], [47583, 'Hostinger'], [36007, 'Kamatera'], [199524, 'G-Core Labs'], [60068, 'Datacamp (CDN77)'],
  [54825, 'Equinix Metal (Packet)'], [54113, 'Fastly'], [36351, 'IBM Cloud'], [27357, 'Rackspace'],
  [8100, 'QuadraNet'], [40676, 'Psychz'], [136907, 'Huawei Cloud'], [55990, 'Huawei Cloud'], [21859, 'Zenlayer'],
  [53667, 'FranTech (BuyVM)'], [210644, 'Aeza'], [49505, 'Selectel'], [9123, 'Timeweb'], [7979, 'Servers.com'],
  [29802, 'Hivelocity'], [46475, 'Limestone Networks'], [33387, 'Nocix'], [9370, 'Sakura Internet'],
  [200350, 'Yandex Cloud'],
]);

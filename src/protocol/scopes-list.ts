export const SUPPORTED_SCOPES_FOR_DISCOVERY = ['openid', 'profile', 'email', 'offline_access'];

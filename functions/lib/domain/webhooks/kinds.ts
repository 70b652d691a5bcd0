/** How a sender authenticates its webhooks: one verifier and one signer per kind. */
export const SOURCE_KINDS = ['standard-webhooks', 'greenhouse', 'lever', 'ia-callback'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

// The verification modes a request can ask for, by index (request.verification). On
// their own so that the CLI can list them in its help without loading the signing code.
export const verificationModes = ['none', 'redundant', 'optimistic'] as const;
export type Verification = (typeof verificationModes)[number];

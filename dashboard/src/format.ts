// How values read on screen: token amounts in whole tokens (the payment token has 6
// decimals), shortened hashes with the full value in a tooltip, times and shares.
import { formatUnits } from 'viem';

export const TOKEN_DECIMALS = 6;

export function tokens(amount: string | bigint): string {
  const whole = formatUnits(BigInt(amount), TOKEN_DECIMALS);
  const [int = '0', frac = ''] = whole.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${grouped}${frac ? `.${frac.slice(0, 4)}` : ''} tUSD`;
}

export const tokenNumber = (amount: string): number => Number(formatUnits(BigInt(amount), TOKEN_DECIMALS));

export const short = (hex: string): string => (hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex);

export const percentBps = (bps: number): string => `${(bps / 100).toFixed(2).replace(/\.?0+$/, '')} %`;

export const time = (unix: number): string => new Date(unix * 1000).toISOString().replace('T', ' ').slice(0, 19);

/** A model's name when its metadata URI carries one; an IPFS package names itself only inside the package. */
export function modelName(metadataURI: string): string | undefined {
  return metadataURI.startsWith('trellis:models/') ? metadataURI.slice('trellis:models/'.length) : undefined;
}

export function packageCid(metadataURI: string): string | undefined {
  return metadataURI.startsWith('ipfs://') ? metadataURI.slice('ipfs://'.length) : undefined;
}

export const outcomes = [
  'provider timed out',
  'challenger timed out',
  'provider computed wrong',
  'provider computed right',
  'trace shape wrong',
  'receipt already settled',
];

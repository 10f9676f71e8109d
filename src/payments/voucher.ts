// EIP-712 vouchers: a client's signed statement of the total it owes one provider for
// one model so far (a channel). The Escrow contract pays the difference between the
// latest voucher and what it already paid, so a provider keeps only the latest one.
import type { Address, Hex, LocalAccount } from 'viem';
import { recoverDigestSigner, signDigest } from '../protocol/signatures.ts';
import { structHasher } from '../protocol/typed-data.ts';

export type Voucher = {
  client: Address;
  provider: Address;
  modelId: Hex;
  cumulativeAmount: bigint;
};

export type SignedVoucher = { voucher: Voucher; signature: Hex };

/** Must match IEscrow: name "Trellis Escrow", version "1", the chain, the escrow. */
export type EscrowDomain = { chainId: number; escrow: Address };

export const voucherTypes = {
  Voucher: [
    { name: 'client', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'modelId', type: 'bytes32' },
    { name: 'cumulativeAmount', type: 'uint256' },
  ],
} as const;

const domainOf = ({ chainId, escrow }: EscrowDomain) => ({ name: 'Trellis Escrow', version: '1', chainId, verifyingContract: escrow }) as const;

const digestOf = structHasher<Voucher>('Voucher', voucherTypes.Voucher);

export async function signVoucher(client: LocalAccount, domain: EscrowDomain, voucher: Voucher): Promise<SignedVoucher> {
  const signature = await signDigest(client, voucherDigest(domain, voucher), () =>
    client.signTypedData({ domain: domainOf(domain), types: voucherTypes, primaryType: 'Voucher', message: voucher }),
  );
  return { voucher, signature };
}

export function voucherDigest(domain: EscrowDomain, voucher: Voucher): Hex {
  return digestOf(domainOf(domain), voucher);
}

/** The address that signed a voucher (compare it with `voucher.client`). */
export async function recoverVoucherSigner(domain: EscrowDomain, { voucher, signature }: SignedVoucher): Promise<Address> {
  return recoverDigestSigner(voucherDigest(domain, voucher), signature);
}

// EIP-712 vouchers: a client's signed statement of the total it owes one provider for
// one model so far (a channel). The Escrow contract pays the difference between the
// latest voucher and what it already paid, so a provider keeps only the latest one.
import { hashTypedData, recoverTypedDataAddress, type Address, type Hex, type LocalAccount } from 'viem';

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

export async function signVoucher(client: LocalAccount, domain: EscrowDomain, voucher: Voucher): Promise<SignedVoucher> {
  const signature = await client.signTypedData({ domain: domainOf(domain), types: voucherTypes, primaryType: 'Voucher', message: voucher });
  return { voucher, signature };
}

export function voucherDigest(domain: EscrowDomain, voucher: Voucher): Hex {
  return hashTypedData({ domain: domainOf(domain), types: voucherTypes, primaryType: 'Voucher', message: voucher });
}

/** The address that signed a voucher (compare it with `voucher.client`). */
export function recoverVoucherSigner(domain: EscrowDomain, { voucher, signature }: SignedVoucher): Promise<Address> {
  return recoverTypedDataAddress({ domain: domainOf(domain), types: voucherTypes, primaryType: 'Voucher', message: voucher, signature });
}

// Whether a request was sent to this provider by the router its client named: either
// the request names this provider as its router, or it names a gateway and carries
// that gateway's assignment of this very request to this provider. Anyone else holding
// a copy of the signed request (a provider it was routed to, an eavesdropper) can
// neither name another router nor forge the router's assignment, so a replay is
// refused before any work and nothing is recorded against the client.
import { getAddress, type Address, type Hex } from 'viem';
import { ProtocolError } from '../protocol/errors.ts';
import { recoverAssignmentSigner, type InferenceRequest, type ProtocolDomain, type SignedAssignment } from '../protocol/messages.ts';

export async function checkRoute(
  domain: ProtocolDomain,
  self: Address,
  request: InferenceRequest,
  requestHash: Hex,
  signed: SignedAssignment | undefined,
): Promise<void> {
  const router = getAddress(request.router);
  if (router === getAddress(self)) return;
  if (!signed) {
    throw new ProtocolError('ROUTE_MISMATCH', 'The request is routed through another party, and no assignment from it came along.', {
      details: [`request router: ${router}`, `this provider: ${self}`, 'send it to its router, or attach the router-signed assignment'],
    });
  }
  const { assignment } = signed;
  const invalid = (message: string, details: string[]) => new ProtocolError('ASSIGNMENT_INVALID', message, { details });
  if (assignment.requestHash !== requestHash) {
    throw invalid('The assignment is for another request.', [`assignment.requestHash: ${assignment.requestHash}`, `this request's hash: ${requestHash}`]);
  }
  if (getAddress(assignment.provider) !== getAddress(self)) {
    throw invalid('The assignment names another provider.', [`assignment.provider: ${assignment.provider}`, `this provider: ${self}`]);
  }
  const signer = await recoverAssignmentSigner(domain, signed).catch(() => undefined);
  if (signer === undefined || getAddress(signer) !== router) {
    throw invalid("The assignment is not signed by the request's router.", [`request router: ${router}`, `recovered signer: ${signer ?? 'none'}`]);
  }
}

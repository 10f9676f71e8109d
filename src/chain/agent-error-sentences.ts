// Sentences for the agent contracts' errors (SpendPermissions, AgentAccount(s),
// AgentIdentity, ValidationRegistry, ReputationRegistry), merged into
// src/chain/error-sentences.ts.
import { date, short, text, tusd, type ErrorSentence } from './sentence-parts.ts';

export const agentErrorSentences: Readonly<Record<string, ErrorSentence>> = {
  // SpendPermissions
  SpendNotAccount: (a) => `Only the permission's account ${text(a.account)} can do this, not ${text(a.caller)}.`,
  SpendNotSpender: (a) => `Only the permission's spender ${text(a.spender)} can use it, not ${text(a.caller)}.`,
  SpendZeroToken: () => 'The spend permission names no token.',
  SpendZeroSpender: () => 'The spend permission names no spender.',
  SpendZeroAllowance: () => 'The spend permission allows nothing per period (allowance 0).',
  SpendZeroPeriod: () => 'The spend permission has a period of zero seconds.',
  SpendInvalidStartEnd: (a) => `The spend permission starts at ${date(a.start)}, not before its end at ${date(a.end)}.`,
  SpendBadTerms: (a) => `The terms of spend permission ${short(a.hash)} are malformed or allow 0 tUSD per call.`,
  SpendInvalidSignature: (a) => `The spend permission ${short(a.hash)} is not signed by its account ${text(a.account)}.`,
  SpendPermissionIsRevoked: (a) => `The spend permission ${short(a.hash)} was revoked; it can never be used again.`,
  SpendPermissionNotApproved: (a) => `The spend permission ${short(a.hash)} was never approved.`,
  SpendPermissionKilled: (a) =>
    `${text(a.account)} pulled the kill switch: the permission belongs to epoch ${text(a.epoch)}, the account is at epoch ${text(a.currentEpoch)}.`,
  SpendZeroValue: () => 'A spend must be more than 0 tUSD.',
  SpendBeforeStart: (a) => `The spend permission starts at ${date(a.start)}.`,
  SpendAfterEnd: (a) => `The spend permission ended at ${date(a.end)}.`,
  SpendAboveMaxPerCall: (a) => `${tusd(a.value)} is above the permission's ${tusd(a.maxPerCall)} per call.`,
  SpendLimitExceeded: (a) => `${tusd(a.value)} is more than the ${tusd(a.remaining)} left of this period's allowance.`,
  SpendPayeeNotAllowed: (a) => `The spend permission does not allow paying ${text(a.payee)}.`,
  SpendThroughNotContract: (a) => `Only a contract spender can pass a spend on; ${text(a.spender)} is a key that would keep it.`,
  // AgentAccount, AgentAccounts
  AccountNotToken: (a) => `Only the token ${text(a.token)} calls an agent account's payment hook, not ${text(a.caller)}.`,
  AccountNotOwner: (a) => `Only the agent account's owner ${text(a.owner)} can do this, not ${text(a.caller)}.`,
  AccountValueTooLarge: (a) => `A payment of ${text(a.value)} base units is too large for a spend permission.`,
  AccountsWrongSpender: (a) => `The permission's spender ${text(a.spender)} is not the agent account ${text(a.account)} it is made for.`,
  AccountsZeroSessionKey: () => 'An agent account needs a session key; the zero address was given.',
  // OpenZeppelin's Clones and Create2, which the account factory uses
  CloneArgumentsTooLong: () => "The agent account's configuration is too long to fit in a clone.",
  Create2EmptyBytecode: () => 'An agent account was to be created from empty code.',
  FailedDeployment: () => 'Creating the agent account failed (an account with this configuration may exist already).',
  InsufficientBalance: (a) => `The factory holds ${text(a.balance)} wei and was asked to send ${text(a.needed)}.`,

  // AgentIdentity (and the ERC-721 it is)
  IdentityNotAuthorized: (a) => `${text(a.caller)} neither owns agent ${text(a.agentId)} nor is approved for it.`,
  IdentityReservedKey: (a) => `The metadata key "${text(a.metadataKey)}" is set only through setAgentWallet.`,
  IdentityZeroWallet: () => 'An agent wallet cannot be the zero address.',
  IdentityDeadlinePassed: (a) => `The wallet's consent expired at ${date(a.deadline)}.`,
  IdentityDeadlineTooFar: (a) => `The wallet's consent runs to ${date(a.deadline)}, beyond the latest allowed, ${date(a.latest)}.`,
  IdentityInvalidWalletSignature: (a) => `The new wallet ${text(a.wallet)} did not sign its consent (digest ${short(a.digest)}).`,
  ERC721IncorrectOwner: (a) => `Agent ${text(a.tokenId)} belongs to ${text(a.owner)}, not ${text(a.sender)}.`,
  ERC721InsufficientApproval: (a) => `${text(a.operator)} is not approved to move agent ${text(a.tokenId)}.`,
  ERC721InvalidApprover: (a) => `${text(a.approver)} cannot approve (the zero address).`,
  ERC721InvalidOperator: (a) => `${text(a.operator)} cannot be an operator.`,
  ERC721InvalidOwner: (a) => `${text(a.owner)} cannot own an agent.`,
  ERC721InvalidReceiver: (a) => `${text(a.receiver)} cannot receive an agent identity.`,
  ERC721InvalidSender: (a) => `An agent identity cannot come from ${text(a.sender)}.`,
  ERC721NonexistentToken: (a) => `There is no agent ${text(a.tokenId)}.`,

  // ValidationRegistry
  ValidationZeroValidator: () => 'A validation request must name a validator.',
  ValidationRequestExists: (a) => `A validation request ${short(a.requestHash)} exists already.`,
  ValidationUnknownRequest: (a) => `There is no validation request ${short(a.requestHash)}.`,
  ValidationNotAgentOwner: (a) => `${text(a.caller)} neither owns agent ${text(a.agentId)} nor operates it, so it cannot ask for its validation.`,
  ValidationNotValidator: (a) => `Only the validator ${text(a.validator)} may answer this request, not ${text(a.caller)}.`,
  ValidationResponseOutOfRange: (a) => `A validation response is 0 to 100, not ${text(a.response)}.`,

  // ReputationRegistry
  ReputationNothingNew: (a) => `Channel ${short(a.channel)} has ${tusd(a.redeemed)} redeemed, nothing above the ${tusd(a.recorded)} already recorded.`,
  ReputationSelfDealing: (a) => `${text(a.account)} is both client and provider of the channel; that proves no work.`,
  ReputationDisputeNotLost: (a) => `The dispute game holds no lost dispute on receipt ${short(a.receiptId)}.`,
  ReputationAlreadyRecorded: (a) => `This fact (${short(a.fact)}) is recorded already.`,
  ReputationNoResponse: (a) => `Validation request ${short(a.requestHash)} has no answer yet.`,
  ReputationUntrustedValidator: (a) => `${text(a.validator)} is not a validator governance trusts; its answers do not count.`,
  ReputationNoWallet: (a) => `Agent ${text(a.agentId)} has no wallet to credit.`,
  ReputationNotGovernance: (a) => `Only governance ${text(a.governance)} may do this, not ${text(a.caller)}.`,
  ReputationNotSource: (a) => `${text(a.caller)} is not a source contract governance trusts.`,
  ReputationSelfFeedback: (a) => `${text(a.subject)} cannot report on itself.`,
  ReputationValueOutOfRange: (a) => `Feedback is -100 to 100, not ${text(a.value)}.`,
};

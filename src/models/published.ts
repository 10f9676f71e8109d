// Models served and called by content address: the publication on chain names the
// package by its CID (metadata URI `ipfs://<cid>`), the package is fetched from any
// source and verified against that CID, and then held to the publication itself: the
// ONNX file must hash to the published content hash, and the artifact must give the
// published weight commitment and shape (resolveModel). A source that serves another
// model under a publication's CID is therefore refused before anything is signed or paid.
import type { Hex } from 'viem';
import type { Connection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';
import { parseIpfsUri, type CID } from '../store/index.ts';
import { ModelError } from './errors.ts';
import { openModelPackage, type PackageSources, type PublishedPackage } from './package/travel.ts';
import { resolveModel, type ModelTrust } from './registry.ts';

const NO_OWNER = '0x0000000000000000000000000000000000000000';

/** The package CID a publication names; throws when it is not published or names no package. */
export async function publishedCid(connection: Connection, deployment: Deployment, modelId: Hex): Promise<{ cid: CID; contentHash: Hex }> {
  const published = await connection.publicClient.readContract({
    address: deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    functionName: 'getModel',
    args: [modelId],
  });
  if (published.owner === NO_OWNER) {
    throw new ModelError('MODEL_NOT_PUBLISHED', `No model is published under the model id ${modelId}.`, {
      details: ['check the id, or publish the package first (trellis model publish)'],
    });
  }
  try {
    return { cid: parseIpfsUri(published.metadataURI), contentHash: published.contentHash };
  } catch (cause) {
    throw new ModelError('MODEL_URI_UNSUPPORTED', `Model ${modelId} is not published as a package (its metadata URI is not ipfs://<cid>).`, {
      details: [`metadata URI: ${JSON.stringify(published.metadataURI.slice(0, 100))}`, 'serve it from a models folder by name instead'],
      cause,
    });
  }
}

/** A package held to a publication: its ONNX hash is the published content hash, and resolveModel agrees. */
async function checkedAgainst(
  connection: Connection,
  deployment: Deployment,
  pkg: PublishedPackage,
  trust: ModelTrust,
  publishedHash?: Hex,
): Promise<{ model: PublishedPackage; modelId: Hex }> {
  if (publishedHash !== undefined && publishedHash.toLowerCase() !== pkg.contentHash.toLowerCase()) {
    throw new ModelError('MODEL_CONTENT_MISMATCH', `The package ${pkg.cid} holds another model than the one published under its CID.`, {
      details: [`content hash on chain: ${publishedHash}`, `keccak256 of the package's ONNX file: ${pkg.contentHash}`, 'nothing was served or paid'],
    });
  }
  return { model: pkg, modelId: await resolveModel(connection, deployment, pkg, trust) };
}

/** The model published as `modelId`, fetched by the CID its publication names and checked against it. */
export async function loadPublishedModel(
  connection: Connection,
  deployment: Deployment,
  modelId: Hex,
  from: PackageSources,
): Promise<{ model: PublishedPackage; modelId: Hex }> {
  const { cid, contentHash } = await publishedCid(connection, deployment, modelId);
  const pkg = await openModelPackage(cid, from);
  return checkedAgainst(connection, deployment, pkg, { modelIds: { [pkg.name]: modelId } }, contentHash);
}

/** The package `cid`, as published by the trusted publisher (or the model id `trust` names for its name). */
export async function loadModelByCid(
  connection: Connection,
  deployment: Deployment,
  cid: CID,
  from: PackageSources,
  trust: ModelTrust = {},
): Promise<{ model: PublishedPackage; modelId: Hex }> {
  const pkg = await openModelPackage(cid, from);
  const resolved = await checkedAgainst(connection, deployment, pkg, trust);
  // The publication must name this very package, not only the same ONNX file.
  const named = await publishedCid(connection, deployment, resolved.modelId);
  if (!named.cid.equals(cid)) {
    throw new ModelError('MODEL_CONTENT_MISMATCH', `Model ${resolved.modelId} is published with another package than ${cid}.`, {
      details: [`published package: ${named.cid}`, `asked for: ${cid}`],
    });
  }
  return resolved;
}

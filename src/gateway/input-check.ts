// The gateway checks a request's input itself when it has the model locally (the
// catalog's models folder, matched by the content hash published on chain): an input
// that does not hash to the signed inputHash is the client's error, refused before
// any provider is called. Once checked, a provider answering INVALID_INPUT is lying.
// For a model the gateway lacks, it cannot tell, and such an answer only moves on.
import type { Hex } from 'viem';
import type { Engine } from '../engine/index.ts';
import { asProtocolError } from '../net/http.ts';
import { listModelNames, loadModel } from '../models/catalog.ts';
import { inputHashOf } from '../protocol/commitments.ts';
import { ProtocolError } from '../protocol/errors.ts';
import type { InferenceRequest } from '../protocol/messages.ts';

export class InputChecker {
  private models: Map<Hex, { name: string; engine: Engine }> | undefined;

  constructor(private readonly modelsDir?: string) {}

  /**
   * True when the input was checked and matches; false when the gateway does not have
   * the model. Throws INVALID_INPUT for an input that does not fit the model or hash to
   * the request's inputHash.
   */
  check(contentHash: Hex, request: InferenceRequest, input: readonly number[]): boolean {
    const engine = this.modelOf(contentHash)?.engine;
    if (!engine) return false;
    let inputHash: Hex;
    try {
      inputHash = inputHashOf(engine, input).inputHash;
    } catch (error) {
      throw asProtocolError(error);
    }
    if (inputHash !== request.inputHash) {
      throw new ProtocolError('INVALID_INPUT', "The input does not match the request's input hash.", {
        details: [`signed inputHash: ${request.inputHash}`, `hash of the input sent: ${inputHash}`],
      });
    }
    return true;
  }

  /** The model the gateway has under this content hash (its name and engine), if any. */
  modelOf(contentHash: Hex): { name: string; engine: Engine } | undefined {
    if (!this.models) {
      this.models = new Map();
      for (const name of listModelNames(this.modelsDir)) {
        try {
          const model = loadModel(name, this.modelsDir);
          this.models.set(model.contentHash.toLowerCase() as Hex, { name: model.name, engine: model.engine });
        } catch {
          // A model that does not load here is one the gateway cannot check; providers still can.
        }
      }
    }
    return this.models.get(contentHash.toLowerCase() as Hex);
  }
}

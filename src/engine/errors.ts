// Errors of the fixed-point engine. Codes are stable and machine-readable; details
// name what was expected and what was found.
import { TrellisError } from '../errors.ts';

export type EngineErrorCode =
  | 'ENGINE_ONNX_DECODE'
  | 'ENGINE_ONNX_OPSET'
  | 'ENGINE_ONNX_UNSUPPORTED_OP'
  | 'ENGINE_ONNX_INVALID'
  | 'ENGINE_CALIBRATION'
  | 'ENGINE_BOUND'
  | 'ENGINE_INPUT_SHAPE'
  | 'ENGINE_INPUT_VALUE'
  | 'ENGINE_INPUT_RANGE'
  | 'ENGINE_ARTIFACT_INVALID'
  | 'ENGINE_PROOF_INDEX'
  | 'ENGINE_TRACE_VALUE';

export class EngineError extends TrellisError<EngineErrorCode> {
  override name = 'EngineError';
}

/** The file is not an ONNX model, or it is truncated. */
export class OnnxDecodeError extends EngineError {
  override name = 'OnnxDecodeError';
  constructor(details: string[], cause?: unknown) {
    super('ENGINE_ONNX_DECODE', 'The file is not a readable ONNX model.', { details, cause });
  }
}

export class OnnxOpsetError extends EngineError {
  override name = 'OnnxOpsetError';
  constructor(got: number | string) {
    super('ENGINE_ONNX_OPSET', 'The ONNX opset version is not supported.', {
      details: ['expected: default-domain opset 11..17', `got: ${got}`],
    });
  }
}

export class OnnxUnsupportedOpError extends EngineError {
  override name = 'OnnxUnsupportedOpError';
  readonly opType: string;
  readonly nodeName: string;
  readonly reason: string | undefined;
  constructor(opType: string, nodeName: string, reason?: string) {
    super('ENGINE_ONNX_UNSUPPORTED_OP', `Operator ${opType} (node "${nodeName}") is not supported.`, {
      details: [`operator: ${opType}`, `node: ${nodeName}`, ...(reason ? [`reason: ${reason}`] : [])],
    });
    this.opType = opType;
    this.nodeName = nodeName;
    this.reason = reason;
  }
}

/**
 * Several nodes the engine cannot run, all named at once so that a model's author sees
 * every change the export needs in one go rather than one per attempt.
 */
export class OnnxUnsupportedOpsError extends EngineError {
  override name = 'OnnxUnsupportedOpsError';
  readonly problems: readonly OnnxUnsupportedOpError[];
  constructor(problems: readonly OnnxUnsupportedOpError[]) {
    const ops = [...new Set(problems.map((p) => p.opType))];
    super('ENGINE_ONNX_UNSUPPORTED_OP', `${problems.length} nodes use operators or forms the engine does not support (${ops.join(', ')}).`, {
      details: problems.map((p) => `node "${p.nodeName}": ${p.opType}${p.reason ? ` (${p.reason})` : ''}`),
    });
    this.problems = problems;
  }
}

/** The file decodes but its graph is malformed or uses a form the engine refuses. */
export class OnnxInvalidError extends EngineError {
  override name = 'OnnxInvalidError';
  constructor(shortMessage: string, details: string[]) {
    super('ENGINE_ONNX_INVALID', shortMessage, { details });
  }
}

export class CalibrationError extends EngineError {
  override name = 'CalibrationError';
  constructor(shortMessage: string, details: string[]) {
    super('ENGINE_CALIBRATION', shortMessage, { details });
  }
}

/** A model would let an intermediate value leave the exact 53-bit range. */
export class BoundError extends EngineError {
  override name = 'BoundError';
  constructor(shortMessage: string, details: string[]) {
    super('ENGINE_BOUND', shortMessage, { details });
  }
}

export class InputShapeError extends EngineError {
  override name = 'InputShapeError';
  constructor(shortMessage: string, details: string[]) {
    super('ENGINE_INPUT_SHAPE', shortMessage, { details });
  }
}

/** A value that is not a finite number. */
export class InputValueError extends EngineError {
  override name = 'InputValueError';
  constructor(index: number, got: unknown) {
    super('ENGINE_INPUT_VALUE', 'An input value is not a finite number.', {
      details: [`index: ${index}`, 'expected: a finite number', `got: ${describe(got)}`],
    });
  }
}

export class InputRangeError extends EngineError {
  override name = 'InputRangeError';
  constructor(index: number, got: number, min: number, max: number) {
    super('ENGINE_INPUT_RANGE', 'An input value is outside the declared input range.', {
      details: [`index: ${index}`, `expected: ${min} <= value <= ${max}`, `got: ${got}`],
    });
  }
}

export class ArtifactInvalidError extends EngineError {
  override name = 'ArtifactInvalidError';
  constructor(shortMessage: string, details: string[], cause?: unknown) {
    super('ENGINE_ARTIFACT_INVALID', shortMessage, { details, cause });
  }
}

export class ProofIndexError extends EngineError {
  override name = 'ProofIndexError';
  constructor(what: string, got: number, count: number) {
    super('ENGINE_PROOF_INDEX', `The ${what} index is out of range.`, {
      details: [`expected: 0 <= ${what} < ${count}`, `got: ${got}`],
    });
  }
}

export class TraceValueError extends EngineError {
  override name = 'TraceValueError';
  constructor(index: number, got: number) {
    super('ENGINE_TRACE_VALUE', 'A trace value is not an int16, so no trace chunk can hold it.', {
      details: [`element: ${index}`, `expected: an integer from ${-32768} to ${32767}`, `got: ${got}`],
    });
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `string ${JSON.stringify(value.slice(0, 20))}`;
  if (value === null) return 'null';
  return typeof value;
}

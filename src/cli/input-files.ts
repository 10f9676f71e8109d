// Reading one input row for `trellis infer` from what a user has at hand: a JSON file
// (an array of numbers, or { "input": [...] }), a row of a CSV file, or an 8x8
// grayscale image for the digits models (PGM, or 8-bit grayscale PNG). Every error
// names the file and what was wrong.
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { TrellisError } from '../errors.ts';

const invalid = (file: string, problem: string, details: string[] = []) => new TrellisError('INVALID_INPUT_FILE', `${file}: ${problem}`, { details });

function read(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    throw invalid(file, 'cannot be read.', [cause instanceof Error ? cause.message : String(cause)]);
  }
}

export function readJsonRow(file: string): number[] {
  let value: unknown;
  try {
    value = JSON.parse(read(file).toString('utf8'));
  } catch (cause) {
    throw invalid(file, 'is not valid JSON.', [cause instanceof Error ? cause.message : String(cause)]);
  }
  const row = Array.isArray(value) ? value : (value as { input?: unknown } | null)?.input;
  if (!Array.isArray(row)) throw invalid(file, 'expected an array of numbers or { "input": [numbers] }.');
  row.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw invalid(file, `value ${i} is not a finite number.`, [`got ${JSON.stringify(x)}`]);
  });
  return row as number[];
}

/** Row `row` (0-based, header lines that are not numbers skipped) of a CSV file; `drop` trailing columns (labels) removed. */
export function readCsvRow(file: string, row: number, drop = 0): number[] {
  const lines = read(file)
    .toString('utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const data = lines.filter((l) => l.split(',').every((cell) => cell.trim() !== '' && Number.isFinite(Number(cell))));
  const line = data[row];
  if (line === undefined) throw invalid(file, `has no data row ${row}.`, [`data rows: ${data.length}`]);
  const values = line.split(',').map(Number);
  return drop > 0 ? values.slice(0, values.length - drop) : values;
}

/** An 8x8 grayscale image, dark ink on light paper or the reverse, as 64 values 0..16. */
export function readDigitImage(file: string): number[] {
  const bytes = read(file);
  const { width, height, pixels } = bytes.subarray(0, 8).equals(PNG_SIGNATURE) ? decodePng(file, bytes) : decodePgm(file, bytes);
  if (width !== 8 || height !== 8) throw invalid(file, 'the digits models take an 8x8 image.', [`got ${width}x${height}`]);
  // The training data counts ink: 16 is full ink. Images whose border is light are
  // dark-on-light, so they are inverted first.
  const border = [0, 7, 56, 63].reduce((sum, i) => sum + pixels[i]!, 0) / 4;
  return Array.from(pixels, (p) => Math.round(((border > 127 ? 255 - p : p) * 16) / 255));
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function decodePgm(file: string, bytes: Buffer): { width: number; height: number; pixels: Uint8Array } {
  const text = bytes.toString('latin1');
  const magic = text.slice(0, 2);
  if (magic !== 'P2' && magic !== 'P5') throw invalid(file, 'is neither a PNG nor a PGM image.', ['expected a file starting with the PNG signature, P2 or P5']);
  const tokens: string[] = [];
  let offset = 2;
  // Header: width, height, maxval, separated by whitespace, with # comments.
  while (tokens.length < 3) {
    const match = /^(\s+|#[^\n]*\n)*(\d+)/.exec(text.slice(offset));
    if (!match) throw invalid(file, 'has a malformed PGM header.');
    tokens.push(match[2]!);
    offset += match[0].length;
  }
  const [width, height, maxval] = tokens.map(Number) as [number, number, number];
  const count = width * height;
  const values = magic === 'P2' ? text.slice(offset).trim().split(/\s+/).map(Number) : Array.from(bytes.subarray(offset + 1, offset + 1 + count));
  if (values.length < count || values.some((v) => !Number.isInteger(v) || v < 0 || v > maxval))
    throw invalid(file, 'has missing or out-of-range pixel values.');
  return { width, height, pixels: Uint8Array.from(values.slice(0, count), (v) => Math.round((v * 255) / maxval)) };
}

function decodePng(file: string, bytes: Buffer): { width: number; height: number; pixels: Uint8Array } {
  let offset = 8;
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  while (offset + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, color, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || color !== 0 || interlace !== 0)
        throw invalid(file, 'only 8-bit grayscale, non-interlaced PNG images are read.', [`bit depth ${depth}, color type ${color}, interlace ${interlace}`]);
    } else if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  if (width === 0 || data.length === 0) throw invalid(file, 'is a truncated PNG image.');
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(data));
  } catch {
    throw invalid(file, 'has corrupt PNG image data.');
  }
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)];
    for (let x = 0; x < width; x++) {
      const value = raw[y * (width + 1) + 1 + x]!;
      const left = x > 0 ? pixels[y * width + x - 1]! : 0;
      const up = y > 0 ? pixels[(y - 1) * width + x]! : 0;
      const upLeft = x > 0 && y > 0 ? pixels[(y - 1) * width + x - 1]! : 0;
      const paeth = () => {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      };
      const predictor = [0, left, up, Math.floor((left + up) / 2), paeth()][filter ?? 0];
      if (predictor === undefined) throw invalid(file, `uses unknown PNG filter ${filter}.`);
      pixels[y * width + x] = (value + predictor) & 0xff;
    }
  }
  return { width, height, pixels };
}

// The part of the WebAssembly JavaScript API the engine's kernels use. Node has it
// globally; the TypeScript libraries this project compiles with (ES2023 and Node's
// types, no DOM) do not declare it.
declare namespace WebAssembly {
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
    grow(deltaPages: number): number;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}

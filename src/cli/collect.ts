// Commander's accumulator for an option that may be repeated (`--from a --from b`).
// On its own, so that command files can name it when they register their options
// without loading the option parsers, which load viem.
export const collect = (value: string, previous: string[]) => [...previous, value];

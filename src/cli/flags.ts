// Go-style flag parsing for the runc/runsc-compatible command line: a long
// flag is written -name or --name, its value as -name=V, --name=V or the
// next argument; a boolean flag takes no value but accepts =true/=false.
// `--` ends the flags. Unknown flags are an error unless the caller allows them.

export type FlagKind = 'bool' | 'value' | 'list';

export interface FlagDef {
  /** Canonical name (the key in the result), without dashes. */
  name: string;
  kind: FlagKind;
  /** Other spellings, e.g. single letters ("d" for --detach). */
  aliases?: string[];
  /** A value flag whose value may be left out (the next argument is taken only if it is one of these). */
  optionalValues?: string[];
  help?: string;
  /** Shown as the value's name in help. */
  arg?: string;
}

export class FlagError extends Error {}

export interface Parsed {
  /** bool: true/false; value: the last value; list: every value in order. */
  values: Map<string, boolean | string | string[]>;
  positionals: string[];
  /** Unknown flags taken as they were (when allowed). */
  unknown: string[];
}

export interface ParseOptions {
  /** Stop at the first positional argument (the rest are positionals): exec's COMMAND ARGS. */
  stopAtPositional?: boolean;
  /** Stop after this many positionals (the global flags end at the command name). */
  maxPositionals?: number;
  /** Accept unknown flags: "--x=v" as given, a bare "--x" as a boolean. */
  allowUnknown?: boolean;
}

function parseBool(v: string, flag: string): boolean {
  if (/^(1|t|true|yes)$/i.test(v)) return true;
  if (/^(0|f|false|no)$/i.test(v)) return false;
  throw new FlagError(`invalid boolean value ${JSON.stringify(v)} for -${flag}`);
}

export function parseFlags(args: readonly string[], defs: readonly FlagDef[], opts: ParseOptions = {}): Parsed {
  const byName = new Map<string, FlagDef>();
  for (const d of defs) {
    byName.set(d.name, d);
    for (const a of d.aliases ?? []) byName.set(a, d);
  }
  const values = new Map<string, boolean | string | string[]>();
  const positionals: string[] = [];
  const unknown: string[] = [];
  let i = 0;
  const rest = (): void => {
    positionals.push(...args.slice(i));
    i = args.length;
  };
  while (i < args.length) {
    const a = args[i];
    if (opts.maxPositionals !== undefined && positionals.length >= opts.maxPositionals) {
      rest();
      break;
    }
    if (a === '--') {
      i++;
      rest();
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      i++;
      if (opts.stopAtPositional || (opts.maxPositionals !== undefined && positionals.length >= opts.maxPositionals)) rest();
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    const def = byName.get(name);
    i++;
    if (!def) {
      if (!opts.allowUnknown) throw new FlagError(`flag provided but not defined: -${name}`);
      unknown.push(a);
      continue;
    }
    if (def.kind === 'bool') {
      values.set(def.name, inline === undefined ? true : parseBool(inline, name));
      continue;
    }
    let v = inline;
    if (v === undefined) {
      if (def.optionalValues) {
        if (i < args.length && def.optionalValues.includes(args[i])) v = args[i++];
        else v = '';
      } else {
        if (i >= args.length) throw new FlagError(`flag needs an argument: -${name}`);
        v = args[i++];
      }
    }
    if (def.kind === 'list') {
      const prev = values.get(def.name);
      values.set(def.name, [...(Array.isArray(prev) ? prev : []), v]);
    } else values.set(def.name, v);
  }
  return { values, positionals, unknown };
}

/** Typed reads of a Parsed. */
export class Flags {
  constructor(readonly p: Parsed) {}
  bool(name: string): boolean {
    return this.p.values.get(name) === true;
  }
  has(name: string): boolean {
    return this.p.values.has(name);
  }
  str(name: string): string | undefined {
    const v = this.p.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }
  list(name: string): string[] {
    const v = this.p.values.get(name);
    return Array.isArray(v) ? v : [];
  }
  get positionals(): string[] {
    return this.p.positionals;
  }
}

/** Help lines for flag definitions. */
export function flagHelp(defs: readonly FlagDef[]): string {
  const lines: string[] = [];
  for (const d of defs) {
    if (!d.help) continue;
    const names = [d.name, ...(d.aliases ?? [])].map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ');
    const arg = d.kind === 'bool' ? '' : ` ${d.arg ?? 'value'}`;
    lines.push(`   ${(names + arg).padEnd(34)} ${d.help}`);
  }
  return lines.join('\n');
}

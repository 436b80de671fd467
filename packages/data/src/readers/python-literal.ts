/**
 * A safe parser for Python literal syntax as printed by `repr()` — the form of
 * the Amazon 2014 metadata files, which their authors load with `eval`. It
 * accepts dicts, lists, tuples, sets, strings (single or double quotes, u/b/r
 * prefixes, escapes, adjacent-literal concatenation), ints, floats, True,
 * False and None, and nothing else: no names, calls or operators, so input
 * can never execute anything.
 *
 * Values map to JSON-like JavaScript: dict -> plain object (keys as strings),
 * list/tuple/set -> array, None -> null.
 */

export class PythonLiteralError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(`${message} at column ${column}`);
    this.name = 'PythonLiteralError';
  }
}

/** Deep enough for real metadata, shallow enough that hostile input cannot overflow the stack. */
const MAX_DEPTH = 64;
const NUMBER = /[+-]?(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[lL]?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const STRING_START = /[uUbBrR]{0,2}['"]/y;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parsePythonLiteral(text: string): unknown {
  const parser = new Parser(text);
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.pos < text.length) parser.fail('unexpected text after the value');
  return value;
}

class Parser {
  pos = 0;

  constructor(private readonly s: string) {}

  fail(message: string): never {
    throw new PythonLiteralError(message, this.pos + 1);
  }

  skipSpace(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    this.skipSpace();
    const c = this.s[this.pos];
    if (c === '{') return this.dictOrSet(depth);
    if (c === '[') return this.sequence(']', depth);
    if (c === '(') return this.tuple(depth);
    if (c === "'" || c === '"') return this.strings();
    if (c === undefined) this.fail('unexpected end of input');
    const word = WORD;
    word.lastIndex = this.pos;
    const m = word.exec(this.s);
    if (m) {
      const quote = this.s[this.pos + m[0].length];
      if ((quote === "'" || quote === '"') && /^[uUbBrR]{1,2}$/.test(m[0])) return this.strings();
      this.pos += m[0].length;
      if (m[0] === 'True') return true;
      if (m[0] === 'False') return false;
      if (m[0] === 'None') return null;
      this.pos -= m[0].length;
      this.fail(`name "${m[0].slice(0, 20)}" is not a literal`);
    }
    return this.number();
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail('expected a value');
    this.pos += m[0].length;
    let lit = m[0];
    if (lit.endsWith('l') || lit.endsWith('L')) lit = lit.slice(0, -1);
    const n = /^[+-]?0[xX]/.test(lit)
      ? parseInt(lit.replace(/^([+-]?)0[xX]/, '$10x'), 16)
      : Number(lit);
    if (Number.isNaN(n)) this.fail('invalid number');
    return n;
  }

  /** Parse items separated by commas up to `close`; a trailing comma is allowed. */
  private items(close: string, each: () => void): boolean {
    let sawComma = false;
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] === close) {
        this.pos++;
        return sawComma;
      }
      each();
      this.skipSpace();
      const c = this.s[this.pos];
      if (c === ',') {
        sawComma = true;
        this.pos++;
      } else if (c !== close) {
        this.fail(`expected "," or "${close}"`);
      }
    }
  }

  private sequence(close: string, depth: number): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.items(close, () => out.push(this.value(depth + 1)));
    return out;
  }

  private tuple(depth: number): unknown {
    this.pos++;
    const out: unknown[] = [];
    const sawComma = this.items(')', () => out.push(this.value(depth + 1)));
    // "(x)" is a parenthesised value; "(x,)" and "()" are tuples.
    return out.length === 1 && !sawComma ? out[0] : out;
  }

  private dictOrSet(depth: number): unknown {
    this.pos++;
    const dict: Record<string, unknown> = {};
    const set: unknown[] = [];
    let kind: 'dict' | 'set' | undefined;
    this.items('}', () => {
      const key = this.value(depth + 1);
      this.skipSpace();
      const isPair = this.s[this.pos] === ':';
      if (kind === undefined) kind = isPair ? 'dict' : 'set';
      if ((kind === 'dict') !== isPair) this.fail('mixed dict and set entries');
      if (!isPair) {
        set.push(key);
        return;
      }
      this.pos++;
      const value = this.value(depth + 1);
      const name = typeof key === 'object' && key !== null ? JSON.stringify(key) : String(key);
      // defineProperty so a "__proto__" key stays data and never reaches the prototype.
      Object.defineProperty(dict, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    });
    return kind === 'set' ? set : dict;
  }

  /** One or more adjacent string literals, concatenated as Python does. */
  private strings(): string {
    let out = '';
    for (;;) {
      out += this.string();
      this.skipSpace();
      STRING_START.lastIndex = this.pos;
      if (!STRING_START.test(this.s)) return out;
    }
  }

  private string(): string {
    const s = this.s;
    let raw = false;
    let unicode = false;
    while (s[this.pos] !== "'" && s[this.pos] !== '"') {
      const p = s[this.pos].toLowerCase();
      if (p === 'r') raw = true;
      if (p === 'u') unicode = true;
      this.pos++;
    }
    const quote = s[this.pos++];
    let out = '';
    let sawHighByte = false;
    let start = this.pos;
    for (;;) {
      if (this.pos >= s.length) this.fail('unterminated string');
      const c = s[this.pos];
      if (c === quote) break;
      if (c !== '\\') {
        this.pos++;
        continue;
      }
      out += s.slice(start, this.pos);
      const next = s[this.pos + 1];
      if (next === undefined) this.fail('unterminated string');
      if (raw) {
        // Raw strings keep the backslash; it only stops the quote from closing.
        out += c + next;
        this.pos += 2;
      } else {
        const decoded = this.escape(unicode);
        if (decoded.length === 1 && decoded.charCodeAt(0) >= 0x80) sawHighByte = true;
        out += decoded;
      }
      start = this.pos;
    }
    out += s.slice(start, this.pos);
    this.pos++;
    return !unicode && sawHighByte ? repairUtf8(out) : out;
  }

  /** Decode the escape at `pos` (which points at the backslash) and advance past it. */
  private escape(unicode: boolean): string {
    const s = this.s;
    const e = s[this.pos + 1];
    this.pos += 2;
    switch (e) {
      case '\\':
      case "'":
      case '"':
        return e;
      case '\n':
        return '';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case 'x':
        return this.hexEscape(2);
      case 'u':
        return unicode ? this.hexEscape(4) : '\\u';
      case 'U':
        return unicode ? this.hexEscape(8) : '\\U';
      default:
        if (e >= '0' && e <= '7') {
          let digits = e;
          while (digits.length < 3 && s[this.pos] >= '0' && s[this.pos] <= '7')
            digits += s[this.pos++];
          return String.fromCharCode(parseInt(digits, 8));
        }
        // Python keeps unknown escapes verbatim.
        return '\\' + e;
    }
  }

  private hexEscape(width: number): string {
    const hex = this.s.slice(this.pos, this.pos + width);
    if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) this.fail('invalid \\x/\\u escape');
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) this.fail('escape out of Unicode range');
    this.pos += width;
    return String.fromCodePoint(code);
  }
}

/**
 * Python 2 byte strings print UTF-8 text as \xNN escapes ('caf\xc3\xa9').
 * When every character fits a byte and the bytes are valid UTF-8, decode them;
 * otherwise the escapes were latin1 text and stay as they are.
 */
function repairUtf8(text: string): string {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return text;
  try {
    return utf8.decode(Buffer.from(text, 'latin1'));
  } catch {
    return text;
  }
}

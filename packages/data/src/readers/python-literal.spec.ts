import { parsePythonLiteral, PythonLiteralError } from './python-literal';

describe('parsePythonLiteral', () => {
  it('parses the Amazon 2014 metadata shape', () => {
    const line =
      "{'asin': '0000031852', 'title': 'Girls\\' Ballet', 'price': 3.17, " +
      "'salesRank': {'Toys & Games': 211836}, 'categories': [['Sports', 'Dance'], ['Toys']], " +
      "'description': \"It's \\\"quoted\\\"\", 'isNew': True, 'old': False, 'gone': None}";
    expect(parsePythonLiteral(line)).toEqual({
      asin: '0000031852',
      title: "Girls' Ballet",
      price: 3.17,
      salesRank: { 'Toys & Games': 211836 },
      categories: [['Sports', 'Dance'], ['Toys']],
      description: 'It\'s "quoted"',
      isNew: true,
      old: false,
      gone: null,
    });
  });

  it('handles tuples, sets, numbers and trailing commas', () => {
    expect(parsePythonLiteral('(1, 2,)')).toEqual([1, 2]);
    expect(parsePythonLiteral('(1,)')).toEqual([1]);
    expect(parsePythonLiteral('()')).toEqual([]);
    expect(parsePythonLiteral('(7)')).toBe(7);
    expect(parsePythonLiteral("{'a', 'b'}")).toEqual(['a', 'b']);
    expect(parsePythonLiteral('[-1, +2.5, 1e3, .5, 0x1F, 10L, [],]')).toEqual([
      -1,
      2.5,
      1000,
      0.5,
      31,
      10,
      [],
    ]);
    expect(parsePythonLiteral('{1: 2, (1, 2): 3}')).toEqual({ '1': 2, '[1,2]': 3 });
  });

  it('decodes escapes like Python, including byte strings holding UTF-8', () => {
    expect(parsePythonLiteral("'a\\nb\\tc\\\\d\\x41\\101'")).toBe('a\nb\tc\\dAA');
    expect(parsePythonLiteral("u'caf\\xe9 \\u00e9'")).toBe('café é');
    // A Python 2 str printing UTF-8 bytes is decoded as UTF-8...
    expect(parsePythonLiteral("'caf\\xc3\\xa9'")).toBe('café');
    // ...but bytes that are not UTF-8 stay latin1.
    expect(parsePythonLiteral("'caf\\xe9'")).toBe('café');
    expect(parsePythonLiteral("r'a\\nb'")).toBe('a\\nb');
    expect(parsePythonLiteral("'a' \"b\" u'c'")).toBe('abc');
    expect(parsePythonLiteral("'\\q'")).toBe('\\q');
  });

  it('never evaluates anything: names, calls and operators are errors', () => {
    for (const bad of [
      "__import__('os')",
      "{'a': open('x')}",
      '1 + 1',
      "{'a': float('inf')}",
      'x',
    ]) {
      expect(() => parsePythonLiteral(bad)).toThrow(PythonLiteralError);
    }
  });

  it('rejects truncated input with a column, and keeps __proto__ as data', () => {
    expect(() => parsePythonLiteral("{'a': [1, 2")).toThrow(/column \d+/);
    expect(() => parsePythonLiteral("'open")).toThrow(/unterminated string/);
    const v = parsePythonLiteral("{'__proto__': {'polluted': True}}") as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(v)).toEqual(['__proto__']);
  });

  it('bounds nesting depth', () => {
    expect(() => parsePythonLiteral('['.repeat(10000) + ']'.repeat(10000))).toThrow(/too deep/);
  });
});

import { idField, numberField, parseObjectLine } from './object-line';

describe('parseObjectLine', () => {
  it('parses JSON and Python-literal objects', () => {
    expect(parseObjectLine('{"a": 1}')).toEqual({ value: { a: 1 } });
    expect(parseObjectLine("{'a': True, 'b': None}")).toEqual({ value: { a: true, b: null } });
    // A Python line that does not start with "{'" still falls back from JSON.
    expect(parseObjectLine('{"a": u\'x\'}')).toEqual({ value: { a: 'x' } });
  });

  it('gives a reason with a position and never quotes the line', () => {
    const secret = 'my private review text';
    const broken = parseObjectLine(`{"reviewText": "${secret}", "asin": `);
    expect(broken.reason).toMatch(/^neither JSON nor a Python literal \(column \d+\)$/);
    expect(parseObjectLine(`{'reviewText': '${secret}`).reason).toMatch(/column \d+/);
    const strictJson = parseObjectLine(`{"reviewText": "${secret}",}`, { python: false });
    expect(strictJson.reason).toMatch(/^invalid JSON \(/);
    expect(strictJson.reason).not.toContain(secret);
    expect(parseObjectLine('[1, 2]').reason).toBe('expected an object');
    expect(parseObjectLine('"text"').reason).toBe('expected an object');
  });
});

describe('field helpers', () => {
  it('reads ids and numbers, flagging present-but-invalid numbers as NaN', () => {
    expect(idField(' A1 ')).toBe('A1');
    expect(idField(42)).toBe('42');
    expect(idField('')).toBeUndefined();
    expect(idField(null)).toBeUndefined();
    expect(numberField('4.0')).toBe(4);
    expect(numberField(undefined)).toBeUndefined();
    expect(numberField('')).toBeUndefined();
    expect(numberField('five')).toBeNaN();
    expect(numberField({})).toBeNaN();
  });
});

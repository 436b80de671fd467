import { cleanJoined, cleanText, cleanTextList, stripControl, unescapeHtml } from './text';

describe('unescapeHtml', () => {
  it('decodes named, decimal and hex references', () => {
    expect(unescapeHtml('Crabtree &amp; Evelyn')).toBe('Crabtree & Evelyn');
    expect(unescapeHtml('&quot;a&quot; &lt;b&gt; &apos;c&apos;')).toBe('"a" <b> \'c\'');
    expect(unescapeHtml('it&#39;s it&#x27;s it&#X27;s')).toBe("it's it's it's");
    expect(unescapeHtml('a&nbsp;b')).toBe('a\u00a0b');
    expect(unescapeHtml('Cr&egrave;me &eacute;t&eacute; &trade; &#8217;')).toBe(
      'Crème été ™ \u2019',
    );
  });

  it('decodes as an HTML5 parser does in text: the full named table, cp1252 numbers, legacy names', () => {
    // Names the old hand-written table lacked.
    expect(unescapeHtml('&Gt; &Lt; &frac58; &CounterClockwiseContourIntegral;')).toBe(
      '\u226b \u226a \u215d \u2233',
    );
    // Numeric references in 128-159 mean Windows-1252 characters (&#150; is an en dash).
    expect(unescapeHtml('20&#150;400 kHz, &#153;')).toBe('20\u2013400 kHz, \u2122');
    // Legacy names without a semicolon, as browsers read them; unknown names stay.
    expect(unescapeHtml('ecocert.com&nbsp')).toBe('ecocert.com\u00a0');
    expect(unescapeHtml('&bogus; AT&T &#xFFFFFFF;')).toBe('&bogus; AT&T \ufffd');
  });

  it('decodes double-escaped text (common in Amazon data) until stable', () => {
    expect(unescapeHtml('easy to apply &amp;ndash; using')).toBe('easy to apply \u2013 using');
    expect(unescapeHtml('&amp;amp;amp;amp;')).toBe('&amp;');
  });
});

describe('cleanText', () => {
  it('strips control characters except newline and tab, after decoding', () => {
    expect(stripControl('a\u0000b\u001bc\u007fd\u0085e\r\nf\tg')).toBe('abcde\nf\tg');
    expect(cleanText('x&#39;y&#27;z&#x1;')).toBe("x'yz");
  });

  it('returns undefined for absent, empty or non-text values', () => {
    expect(cleanText(undefined)).toBeUndefined();
    expect(cleanText(null)).toBeUndefined();
    expect(cleanText('')).toBeUndefined();
    expect(cleanText('  \u0001 ')).toBeUndefined();
    expect(cleanText({ a: 1 })).toBeUndefined();
    expect(cleanText(42)).toBe('42');
  });

  it('flattens nested lists, dropping empties and repeats', () => {
    expect(cleanTextList([['A', 'B &amp; C'], ['A', ''], 'D'])).toEqual(['A', 'B & C', 'D']);
    expect(cleanJoined(['p1', ' ', 'p2'], '\n')).toBe('p1\np2');
    expect(cleanJoined([], '\n')).toBeUndefined();
  });
});

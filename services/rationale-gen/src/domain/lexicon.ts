/**
 * Small word lists the embedded composer uses to recognise product types,
 * ingredients/features, uses and review opinions. They are tuned for Amazon
 * beauty and personal-care text (the bundled datasets) and degrade gracefully
 * elsewhere: an unknown domain simply yields fewer typed signals and more
 * plain title terms.
 */
const set = (words: string): ReadonlySet<string> => new Set(words.split(/\s+/).filter(Boolean));

export const PRODUCT_TYPES = set(`
  cream lotion serum shampoo conditioner polish lacquer mask cleanser perfume parfum toilette
  fragrance cologne toner oil balm brush razor lipstick gloss mascara foundation concealer powder
  blush bronzer eyeliner liner eyeshadow shadow tan sunscreen gel soap wash spray scrub moisturizer
  moisturiser exfoliator primer remover treatment deodorant candle kit dryer straightener curler
  comb mist butter cleanser peel pencil palette tint sponge clipper trimmer file buffer polish
  topcoat basecoat shave aftershave`);

export const FEATURES = set(`
  shea argan vitamin retinol hyaluronic collagen peptide ceramide aloe jojoba coconut charcoal
  clay keratin spf organic natural vegan paraben sulfate unscented hypoallergenic antioxidant
  glycolic salicylic niacinamide lavender rose almond honey mineral matte waterproof moisturizing
  moisturising hydrating firming brightening soothing
  gentle nourishing repair volumizing volume smoothing tinted sheer
  lasting`);

export const USES = set(`
  face eye lip hand nail body hair foot scalp beard shaving night day daily travel gift summer
  winter sensitive dry oily men women bath shower sun curly neck cuticle teeth mouth wrinkle acne
  aging ageing`);

/** Measurement and packaging words that say nothing about taste. */
export const UNITS = set(`
  oz fl ml g gr kg lb lbs mg ounce ounces gram grams pack packs count ct piece pieces pcs set size
  inch inches cm mm liter litre value jumbo mini full`);

export const ASPECTS = set(`
  smell scent fragrance odor oder price value texture consistency color colour packaging bottle
  size quality feel lather shine hold taste results product shipping formula coverage wear`);

export const POSITIVE = set(`
  great love loved loves good nice excellent perfect wonderful amazing best soft smooth gentle
  fresh clean pleasant lovely favorite favourite recommend awesome happy works worked reasonable
  reasonably fantastic beautiful fine delightful refreshing light`);

export const NEGATIVE = set(`
  bad awful terrible horrible poor sticky greasy harsh broke broken disappointed disappointing
  worst hate waste overpowering itchy burn burned burning rash leaked leaking returned cheap
  weird strange chemical fake`);

// tokenize() splits "didn't" into "didn" + "t".
export const NEGATORS = set(`not no never didn don doesn isn wasn nothing hardly without`);

/** Plural -> singular for lexicon lookups ("nails" -> "nail"); conservative. */
export function singular(token: string): string {
  if (token.length > 4 && token.endsWith('ies')) return token.slice(0, -3) + 'y';
  if (token.length > 3 && token.endsWith('s') && !token.endsWith('ss')) return token.slice(0, -1);
  return token;
}

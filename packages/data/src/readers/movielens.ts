import type { Interaction, Item, RawDataset, ReadOptions } from '../types';
import { joinCatalogue, setAttribute } from './catalogue';
import { ReadContext } from './context';
import type { TextEncoding } from './line-source';
import { cleanText } from './text';

export interface MovieLensReadOptions extends ReadOptions {
  /** `ratings.dat` (UserID::MovieID::Rating::Timestamp) or `u.data` (tab separated). */
  ratings: string;
  /** `movies.dat` (MovieID::Title::Genres) or `u.item` (pipe separated, 19 genre flags). */
  movies?: string;
  /** Encoding of the movies file; GroupLens ships ml-100k and ml-1m in latin1 (default). */
  moviesEncoding?: TextEncoding;
}

/** The 19 genre flags of ml-100k's u.item, in file order (u.genre). */
export const ML100K_GENRES: readonly string[] = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary',
  'Drama', 'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi',
  'Thriller', 'War', 'Western',
]; // prettier-ignore

/**
 * Read MovieLens in either layout: ml-1m style `::`-separated `.dat` files or
 * ml-100k style `u.data` / `u.item`; the layout is recognised per line. The
 * trailing "(1995)" of a title moves to `attributes.release_year` (the form
 * RecBole's ml-100k uses); genres become `categories` and `attributes.genres`.
 * Order is kept as in the file: sorting by time is preprocessing's job.
 */
export async function readMovieLens(options: MovieLensReadOptions): Promise<RawDataset> {
  const ctx = new ReadContext(options);
  const interactions: Interaction[] = [];
  await ctx.eachLine(options.ratings, (line) => {
    const f = line.indexOf('::') >= 0 ? line.split('::') : line.trim().split(/\s+/);
    if (f.length !== 4) return `expected 4 fields (user item rating timestamp), got ${f.length}`;
    const rating = Number(f[2]);
    const timestamp = Number(f[3]);
    if (f[2] === '' || !Number.isFinite(rating)) return 'rating is not a number';
    if (f[3] === '' || !Number.isFinite(timestamp)) return 'timestamp is not a number';
    if (f[0] === '' || f[1] === '') return 'empty user or item id';
    interactions.push({ user: f[0], item: f[1], rating, timestamp });
  });

  const catalogue = new Map<string, Item>();
  if (options.movies !== undefined) {
    await ctx.eachLine(
      options.movies,
      (line) => {
        const item = line.indexOf('::') >= 0 ? datMovie(line) : uItemMovie(line);
        if (typeof item === 'string') return item;
        if (catalogue.has(item.id)) return `duplicate movie id ${item.id} (kept the first)`;
        catalogue.set(item.id, item);
      },
      { encoding: options.moviesEncoding ?? 'latin1' },
    );
  }
  return {
    reader: 'movielens',
    items: joinCatalogue(interactions, catalogue),
    interactions,
    report: ctx.report(),
  };
}

function datMovie(line: string): Item | string {
  const f = line.split('::');
  if (f.length !== 3) return `expected 3 fields (MovieID::Title::Genres), got ${f.length}`;
  const item = movie(f[0], f[1]);
  if (typeof item === 'string') return item;
  const genres = f[2].split('|').filter((g) => g.trim() !== '' && g !== '(no genres listed)');
  applyGenres(item, genres);
  return item;
}

function uItemMovie(line: string): Item | string {
  const f = line.split('|');
  const want = 5 + ML100K_GENRES.length;
  if (f.length !== want) return `expected ${want} |-separated fields, got ${f.length}`;
  const item = movie(f[0], f[1]);
  if (typeof item === 'string') return item;
  setAttribute(item, 'release_date', cleanText(f[2]));
  setAttribute(item, 'video_release_date', cleanText(f[3]));
  setAttribute(item, 'imdb_url', cleanText(f[4]));
  const genres: string[] = [];
  for (let g = 0; g < ML100K_GENRES.length; g++) {
    const flag = f[5 + g].trim();
    if (flag !== '0' && flag !== '1') return `genre flag ${ML100K_GENRES[g]} must be 0 or 1`;
    if (flag === '1') genres.push(ML100K_GENRES[g]);
  }
  applyGenres(item, genres);
  return item;
}

function movie(idField: string, titleField: string): Item | string {
  const id = idField.trim();
  if (id === '') return 'empty movie id';
  const item: Item = { id };
  const full = cleanText(titleField);
  const m = full === undefined ? null : /^(.*\S)\s*\((\d{4})\)$/.exec(full);
  const title = m ? m[1] : full;
  if (title !== undefined) item.title = title;
  if (m) setAttribute(item, 'release_year', m[2]);
  return item;
}

function applyGenres(item: Item, genres: string[]): void {
  if (genres.length === 0) return;
  item.categories = genres;
  setAttribute(item, 'genres', genres.join(', '));
}

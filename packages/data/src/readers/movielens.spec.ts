import { join } from 'node:path';
import { readMovieLens } from './movielens';

const FIXTURES = join(__dirname, '__fixtures__');

describe('readMovieLens', () => {
  it('reads the ml-1m layout (:: separated, latin1 movies.dat)', async () => {
    const raw = await readMovieLens({
      ratings: join(FIXTURES, 'movielens-1m', 'ratings.dat'),
      movies: join(FIXTURES, 'movielens-1m', 'movies.dat'),
    });
    expect(raw.reader).toBe('movielens');
    expect(raw.report).toMatchObject({ lines: 7, malformed: 0 });
    // File order is kept; sorting by time is preprocessing's job.
    expect(raw.interactions).toEqual([
      { user: '1', item: '1193', rating: 5, timestamp: 978300760 },
      { user: '1', item: '661', rating: 3, timestamp: 978302109 },
      { user: '2', item: '73', rating: 4, timestamp: 978298709 },
      { user: '2', item: '1193', rating: 2, timestamp: 978299026 },
    ]);
    expect(raw.items).toEqual([
      {
        id: '73',
        title: 'Misérables, Les',
        categories: ['Drama', 'Musical'],
        attributes: { release_year: '1995', genres: 'Drama, Musical' },
      },
      {
        id: '661',
        title: 'James and the Giant Peach',
        categories: ['Animation', "Children's", 'Musical'],
        attributes: { release_year: '1996', genres: "Animation, Children's, Musical" },
      },
      {
        id: '1193',
        title: "One Flew Over the Cuckoo's Nest",
        categories: ['Drama'],
        attributes: { release_year: '1975', genres: 'Drama' },
      },
    ]);
  });

  it('reads the ml-100k layout (tab separated u.data, pipe separated latin1 u.item with genre flags)', async () => {
    const raw = await readMovieLens({
      ratings: join(FIXTURES, 'movielens-100k', 'u.data'),
      movies: join(FIXTURES, 'movielens-100k', 'u.item'),
    });
    expect(raw.report).toMatchObject({ lines: 5 + 6, malformed: 0 });
    expect(raw.interactions[0]).toEqual({
      user: '196',
      item: '242',
      rating: 3,
      timestamp: 881250949,
    });
    expect(raw.interactions.map((e) => e.item)).toEqual(['242', '302', '377', '377', '1366']);
    // 1000 and 1300 are in u.item but never rated.
    expect(raw.items.map((it) => it.id)).toEqual(['242', '302', '377', '1366']);
    expect(raw.items[1]).toEqual({
      id: '302',
      title: 'L.A. Confidential',
      categories: ['Crime', 'Film-Noir', 'Mystery', 'Thriller'],
      attributes: {
        release_year: '1997',
        release_date: '01-Jan-1997',
        imdb_url: 'http://us.imdb.com/M/title-exact?L%2EA%2E+Confidential+(1997)',
        genres: 'Crime, Film-Noir, Mystery, Thriller',
      },
    });
    expect(raw.items[3].title).toBe('Ménage (Tenue de soirée)');
    expect(raw.items[3].categories).toEqual(['Comedy', 'Drama']);
  });
});

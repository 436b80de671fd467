import { createServer, type Server } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { download, resolveDownload } from './download';

// The real download hosts cannot be reached offline; this checks the
// download/extract path against a loopback HTTP server serving a real zip.
const GLOVE = resolve(__dirname, '../../../../shared/models/glove-6B-50d-10k/glove.6B.50d.10k.zip');

describe('download', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const zip = readFileSync(GLOVE);
    server = createServer((req, res) => {
      if (req.url === '/glove.zip') {
        res.writeHead(200, { 'content-length': zip.length });
        res.end(zip);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches and extracts a zip into <dest>/<name>', async () => {
    const dest = await mkdtemp(join(tmpdir(), 'ts-dl-'));
    const dir = await download(
      {
        name: 'glove',
        description: 'test',
        files: [{ url: `${base}/glove.zip`, file: 'glove.zip', unzip: true }],
      },
      { dest, silent: true },
    );
    expect(existsSync(join(dir, 'glove.zip'))).toBe(true);
    const text = await readFile(join(dir, 'glove.6B.50d.10k.txt'), 'utf8');
    expect(text.split('\n')[0].startsWith('the ')).toBe(true);
  });

  it('reports HTTP failures with the URL', async () => {
    const dest = await mkdtemp(join(tmpdir(), 'ts-dl-'));
    await expect(
      download(
        { name: 'x', description: 'x', files: [{ url: `${base}/missing`, file: 'm' }] },
        { dest, silent: true },
      ),
    ).rejects.toThrow(/missing failed: HTTP 404/);
  });

  it('resolves Amazon 2018 categories and MovieLens names to official URLs', () => {
    const amazon = resolveDownload('amazon-2018:Luxury_Beauty');
    expect(amazon.files.map((f) => f.file)).toEqual([
      'Luxury_Beauty_5.json.gz',
      'meta_Luxury_Beauty.json.gz',
    ]);
    expect(resolveDownload('movielens-1m').files[0].url).toMatch(/ml-1m\.zip$/);
    expect(() => resolveDownload('nope')).toThrow(/unknown download/);
    expect(() => resolveDownload('amazon-2018:../x')).toThrow(/category/);
  });
});

// The client of http_server.mjs: node http_client.mjs PORT. Waits for the
// server, then over one keep-alive connection: 5 GETs, a POST of 1 MiB
// (checked against its own sha256), a 404, the stats; then /quit on a new
// connection. Prints one line per answer.
import { createHash } from 'node:crypto';
import http from 'node:http';

const port = Number(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, path, body, useAgent = agent) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: useAgent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(`${res.statusCode} ${Buffer.concat(chunks).toString()}`));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitForServer() {
  for (let i = 0; i < 300; i++) {
    try {
      return await request('GET', '/hello/0', undefined, false);
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('server did not come up');
}

await waitForServer();
for (let i = 1; i <= 5; i++) console.log(await request('GET', `/hello/${i}`));
const big = Buffer.alloc(1 << 20);
for (let i = 0; i < big.length; i++) big[i] = (i * 131 + (i >> 11)) & 255;
const want = `${big.length} ${createHash('sha256').update(big).digest('hex')}`;
const got = await request('POST', '/sum', big);
console.log(got === `200 ${want}` ? 'post 1MiB ok' : `post 1MiB MISMATCH: ${got} want ${want}`);
console.log(await request('GET', '/missing'));
// The first GET (no agent) was one connection; all the rest shared one.
console.log(await request('GET', '/stats'));
agent.destroy();
console.log(await request('GET', '/quit', undefined, false));

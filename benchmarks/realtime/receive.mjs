// The `serve` receivers of benchmarks/realtime/bench.py with Supabase's official browser client
// (@supabase/realtime-js, protocol 2.0.0: binary broadcast frames), all N clients in this ONE
// Node process, one socket each, a private channel with `self: false`.
//
// Input (env): RT_URL, RT_ANON (apikey), RT_TOPIC, RT_TOKENS = ["jwt", ...] (one client each),
// RT_EXPECT = database messages each client waits for, RT_OUT = file for the samples.
// Output: one stdout line, {"ready": true} once every client is subscribed (else {"error": ...}
// and exit 1); then, when every client has RT_EXPECT messages or stdin ends (the benchmark's
// deadline), RT_OUT = [[[received_ms, enviado_em, id], ...] per client] and exit 0.
// received_ms = performance.timeOrigin + performance.now(): the machine clock, sub-millisecond.
import { createRequire } from 'node:module'

// The client is installed (pinned) in tests/js by `make node-packages`; no second package.json.
const require = createRequire(new URL('../../tests/js/package.json', import.meta.url))
const { RealtimeClient } = require('@supabase/realtime-js')
const { writeFileSync } = require('node:fs')

const env = process.env
const tokens = JSON.parse(env.RT_TOKENS)
const expect = Number(env.RT_EXPECT)
const print = (obj) => new Promise((resolve) => process.stdout.write(JSON.stringify(obj) + '\n', resolve))

// One client: subscribed channel and the samples its broadcast callback records.
async function join (token) {
  const samples = []
  const client = new RealtimeClient(env.RT_URL, { params: { apikey: env.RT_ANON } })
  await client.setAuth(token)
  const channel = client.channel(env.RT_TOPIC, { config: { private: true, broadcast: { self: false, ack: false } } })
  channel.on('broadcast', { event: 'mensagem' }, (msg) => {
    samples.push([performance.timeOrigin + performance.now(), msg.payload.enviado_em, msg.meta && msg.meta.id])
  })
  const state = await new Promise((resolve) => {
    channel.subscribe((status, err) => {
      if (status !== 'SUBSCRIBED' && status !== 'CHANNEL_ERROR' && status !== 'TIMED_OUT') return
      resolve(status === 'SUBSCRIBED' ? '' : `${status}: ${err ? err.message : ''}`)
    })
  })
  return { client, samples, error: state }
}

const clients = await Promise.all(tokens.map(join))
const failed = clients.find((c) => c.error)
if (failed) {
  await print({ error: failed.error })
  process.exit(1)
}

function finish () {
  writeFileSync(env.RT_OUT, JSON.stringify(clients.map((c) => c.samples)))
  for (const c of clients) c.client.disconnect()
  process.exit(0)
}

// The benchmark closes our stdin at its deadline (so does its exit, however it ends).
process.stdin.on('end', finish)
process.stdin.resume()
await print({ ready: true })
const poll = setInterval(() => {
  if (clients.every((c) => c.samples.length >= expect)) {
    clearInterval(poll)
    finish()
  }
}, 50)

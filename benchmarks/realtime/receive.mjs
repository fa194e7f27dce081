// The `serve` receivers of benchmarks/realtime/bench.py with Supabase's official browser client
// (@supabase/realtime-js, protocol 2.0.0: binary broadcast frames), all N clients in this ONE
// Node process, one socket each (npm `ws`), a private channel with `self: false`.
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
// The socket: `ws` through the client's `transport` option, its documented way on Node.js
// before 22 (the receivers take about 5 points less of the 2 cores than with Node 20's
// experimental built-in WebSocket, which the tests use; a browser's native one costs less).
const WebSocket = require('ws')
const { writeFileSync } = require('node:fs')

const env = process.env
const tokens = JSON.parse(env.RT_TOKENS)
const expect = Number(env.RT_EXPECT)
const print = (obj) => new Promise((resolve) => process.stdout.write(JSON.stringify(obj) + '\n', resolve))

// What one client received, in typed arrays: tens of thousands of small arrays and strings
// kept alive would be copied by every young-generation collection of this process (the clients'
// own collections pause all of them, and the pauses are part of what the benchmark measures).
// Each sample: the callback time (ms), enviado_em in µs since the epoch, the message id as
// three numbers (12 + 12 + 8 hex digits, exact in a double).
class Samples {
  constructor (capacity) {
    this.length = 0
    this.received = new Float64Array(capacity)
    this.sentUs = new Float64Array(capacity)
    this.id = new Float64Array(capacity * 3)
  }

  add (received, enviadoEm, id) {
    const n = this.length
    if (n >= this.received.length) return // more than expected: reported by the count
    this.received[n] = received
    const fraction = /\.(\d+)/.exec(enviadoEm) // Date.parse keeps milliseconds only
    this.sentUs[n] = Date.parse(enviadoEm) * 1000 + (fraction ? Number((fraction[1] + '000000').slice(3, 6)) : 0)
    const hex = String(id).replaceAll('-', '')
    this.id[3 * n] = parseInt(hex.slice(0, 12), 16)
    this.id[3 * n + 1] = parseInt(hex.slice(12, 24), 16)
    this.id[3 * n + 2] = parseInt(hex.slice(24, 32), 16)
    this.length = n + 1
  }

  // [[received_ms, enviado_em (ISO 8601, UTC, µs), id], ...]
  rows () {
    const hex = (value, digits) => value.toString(16).padStart(digits, '0')
    const rows = []
    for (let n = 0; n < this.length; n++) {
      const us = this.sentUs[n]
      const iso = new Date(Math.floor(us / 1000)).toISOString().slice(0, 23) + String(us % 1000).padStart(3, '0') + '+00:00'
      const h = hex(this.id[3 * n], 12) + hex(this.id[3 * n + 1], 12) + hex(this.id[3 * n + 2], 8)
      const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
      rows.push([this.received[n], iso, id])
    }
    return rows
  }
}

// One client: subscribed channel and the samples its broadcast callback records.
async function join (token) {
  // Room for a few more than expected, so a duplicate still shows in the count.
  const samples = new Samples(expect + 64)
  const client = new RealtimeClient(env.RT_URL, { params: { apikey: env.RT_ANON }, transport: WebSocket })
  await client.setAuth(token)
  const channel = client.channel(env.RT_TOPIC, { config: { private: true, broadcast: { self: false, ack: false } } })
  channel.on('broadcast', { event: 'mensagem' }, (msg) => {
    samples.add(performance.timeOrigin + performance.now(), msg.payload.enviado_em, msg.meta && msg.meta.id)
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
  writeFileSync(env.RT_OUT, JSON.stringify(clients.map((c) => c.samples.rows())))
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

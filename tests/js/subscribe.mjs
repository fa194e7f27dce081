// Drives Supabase's official browser client (@supabase/realtime-js, protocol 2.0.0: binary
// broadcast frames) against `schema-kit realtime serve`, for tests/test_realtime_js.py.
//
// Input (env): RT_URL, RT_ANON (apikey), RT_TOPIC, RT_TOKENS = {"name": "jwt", ...},
// RT_EXPECT = database messages each subscribed client waits for, RT_SENDER = name of the
// client that sends one broadcast over the socket ("digitando") once everyone is ready.
// Output (stdout, JSON lines): {"join": name, "status", "error"} per client, then {"ready":
// true}; after the Python side writes, {"name", "ids", "events", "client"} per subscribed
// client (ids/events of database rows in arrival order; client = client broadcasts).
import { RealtimeClient } from '@supabase/realtime-js'

const env = process.env
const tokens = JSON.parse(env.RT_TOKENS)
const expect = Number(env.RT_EXPECT)
// Resolves once written: process.exit() would otherwise cut a long line sent to a pipe.
const print = (obj) => new Promise((resolve) => process.stdout.write(JSON.stringify(obj) + '\n', resolve))

const joined = await Promise.all(Object.entries(tokens).map(async ([name, token]) => {
  const seen = { name, ids: [], events: [], client: [], heartbeats: {}, left: null }
  // Heartbeats every 5 s (the platform default is 25 s): the client reconnects (and would lose or repeat messages) if one
  // goes unanswered, and reports each outcome here.
  const client = new RealtimeClient(env.RT_URL, {
    params: { apikey: env.RT_ANON },
    heartbeatIntervalMs: 5000,
    heartbeatCallback: (status) => { seen.heartbeats[status] = (seen.heartbeats[status] || 0) + 1 },
  })
  await client.setAuth(token)
  const channel = client.channel(env.RT_TOPIC, { config: { private: true, broadcast: { self: false, ack: true } } })
  channel.on('broadcast', { event: '*' }, (msg) => {
    if (msg.meta && msg.meta.id) {
      seen.ids.push(msg.meta.id)
      seen.events.push(msg.event)
    } else {
      seen.client.push({ event: msg.event, payload: msg.payload })
    }
  })
  const status = await new Promise((resolve) => {
    channel.subscribe((state, err) => {
      if (state === 'SUBSCRIBED' || state === 'CHANNEL_ERROR' || state === 'TIMED_OUT') {
        resolve({ state, error: err ? err.message : '' })
      }
    })
  })
  await print({ join: name, status: status.state, error: status.error })
  if (status.state !== 'SUBSCRIBED') {
    await client.removeChannel(channel)
    client.disconnect()
    return null
  }
  return { client, channel, seen }
}))
const live = joined.filter(Boolean)
if (env.RT_SENDER) {
  const sender = live.find((j) => j.seen.name === env.RT_SENDER)
  const ack = await sender.channel.send({ type: 'broadcast', event: 'digitando', payload: { quem: env.RT_SENDER } })
  await print({ sent: ack })
}
await print({ ready: true })

const deadline = Date.now() + 60000
while (Date.now() < deadline && live.some((j) => j.seen.ids.length < expect)) {
  await new Promise((r) => setTimeout(r, 20))
}
await new Promise((r) => setTimeout(r, 300)) // anything extra would arrive now
// Each client must see a heartbeat answered (one is sent every 5 s): wait for it, bounded, so
// the check does not depend on how long the run took.
const beats = Date.now() + 30000
while (Date.now() < beats && live.some((j) => !j.seen.heartbeats.ok)) {
  await new Promise((r) => setTimeout(r, 50))
}
for (const j of live) {
  j.seen.left = await j.channel.unsubscribe() // phx_leave, answered ok
  await print(j.seen)
  j.client.disconnect()
}
process.exit(0)

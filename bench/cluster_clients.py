"""The students of `make bench-cluster`: one WebSocket each through HAProxy, matching then 1:1 chat.

Each behaves as the browser client does (static/realtime/client.js, static/chat/room.js):
reconnects with full-jitter backoff after any close, resumes its room from the last seq it
holds, asks for its queue state again, accepts every proposal, and sends one chat message at
a time, resending it with the same client_msg_id until it is acknowledged. It records what
the audit needs: every (room, seq) it saw, the order it shows them in (as room.js does: strictly
by seq, a message that arrives ahead of a gap held until the gap is filled), its acknowledged
sends and how long each reconnect took.
"""

import asyncio
import json
import random
import time
from collections import Counter, deque

from bench.ws_client import connect

BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 30.0
ACK_TIMEOUT_S = 10.0
PONG_TIMEOUT_S = 10.0
# After a sync finds no ticket, how long a repeated match.confirmed may take before she rejoins
# (the server repeats it right after the status, but a busy server takes seconds to).
SYNC_MATCH_WAIT_S = 10.0
# Frames received by type, all students together: where the servers' per-frame work goes.
FRAMES: Counter = Counter()


class Student:
    def __init__(self, spec: dict, *, host: str, port: int, event_id: int, chat_interval_s: float) -> None:
        self.user, self.session = spec["user"], spec["session"]
        self.host, self.port, self.event_id = host, port, event_id
        self.chat_interval_s = chat_interval_s
        self.ws = None
        self.state = "idle"  # idle → waiting → proposed → matched
        self.joined = False
        self.room: int | None = None
        self.seen: set[int] = set()
        self.live_max = 0
        # What the room page shows, in the order it shows it (room.js's accept()): the audit's
        # out_of_order judges this, not the arrival order of live frames.
        self.shown: list[int] = []
        self.early: set[int] = set()
        self.sent = 0
        self.pending: dict | None = None  # the one unacknowledged send
        self.pending_since = 0.0
        self.acked: dict[str, int] = {}  # client_msg_id → seq
        self.disconnected_at: float | None = None
        self.reconnects_ms: list[tuple[float, float]] = []  # (disconnected at, ms to the next hello)
        # Each reconnect's (ms to hello, handshakes it took, ms of it spent backing off): is a
        # slow one the client's backoff or a slow server?
        self.reconnect_details: list[tuple[float, int, float]] = []
        self.backed_off_s = 0.0
        self.joined_at = 0.0
        self.join_confirmed = False  # the server said waiting/proposed after our queue.join
        self.heartbeat_s = 25.0
        self.last_pong = 0.0
        self.heartbeat_task: asyncio.Task | None = None
        self.attempt = 0
        self.stopping = False
        self.connected = asyncio.Event()
        self.chatting = True
        self.paused = True  # no chat until the bench's chat phase
        self.batches = 0  # answers to `resume`: the audit waits for one after its last resume
        self.resumed_at_end = False
        self.back_at_end = False
        self.syncing = False  # a queue.sync after a reconnect awaits its queue.status
        # Her last frames (errors by code), for the audit's account of a resume left unanswered.
        self.last_frames: deque[str] = deque(maxlen=4)

    # Connection --------------------------------------------------------------------------------

    async def run(self) -> None:
        while not self.stopping:
            self.connected.clear()
            closed = asyncio.get_running_loop().create_future()
            try:
                self.ws = await connect(
                    self.host,
                    self.port,
                    "/ws/",
                    headers={"Cookie": f"sessionid={self.session}", "Origin": f"http://{self.host}"},
                    on_message=self.on_message,
                    on_close=lambda _ws, closed=closed: closed.done() or closed.set_result(None),
                    open_timeout=30,  # a browser waits far longer than 10 s for a handshake
                )
            except (OSError, TimeoutError, Exception) as error:  # noqa: BLE001 - any refused handshake: back off and retry
                FRAMES[f"bench.handshake_failed.{getattr(error, 'status', type(error).__name__)}"] += 1
                await self.back_off()
                continue
            await closed
            self.stop_heartbeat()
            # By close code: 4013 is the gateway's admission control (or a backing service away).
            FRAMES[f"bench.closed.{self.ws.close_code if self.ws else None}"] += 1
            self.connected.clear()
            self.ws = None
            if self.stopping:
                return
            if self.disconnected_at is None:
                self.disconnected_at = time.monotonic()
            await self.back_off()

    async def back_off(self) -> None:
        if self.disconnected_at is None:
            self.disconnected_at = time.monotonic()
        ceiling = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2**self.attempt)
        self.attempt += 1
        delay = random.random() * ceiling
        self.backed_off_s += delay
        await asyncio.sleep(delay)

    def send(self, frame: dict) -> bool:
        return bool(self.ws and self.ws.send_text(json.dumps(frame, separators=(",", ":"))))

    # Frames ------------------------------------------------------------------------------------

    def on_message(self, text: str) -> None:
        frame = json.loads(text)
        FRAMES[frame["type"]] += 1
        self.last_frames.append(frame["type"] if frame["type"] != "error" else f"error.{frame.get('code')}")
        handler = getattr(self, "on_" + frame["type"].replace(".", "_"), None)
        if handler:
            handler(frame)

    def on_hello(self, frame: dict) -> None:
        self.heartbeat_s = float(frame.get("heartbeat_interval_s", 25))
        self.last_pong = time.monotonic()
        self.start_heartbeat()
        if self.disconnected_at is not None:
            self.reconnects_ms.append((self.disconnected_at, (time.monotonic() - self.disconnected_at) * 1000))
            # How many handshakes each reconnect took: a slow one waited on a busy server or
            # was refused and backed off again.
            FRAMES[f"bench.reconnect_attempts.{self.attempt}"] += 1
            self.reconnect_details.append((self.reconnects_ms[-1][1], self.attempt, self.backed_off_s * 1000))
            self.disconnected_at = None
        self.backed_off_s = 0.0
        if self.room:
            self.resume()
        else:
            # She is on the event's lobby page until she has a room: lobby.js enters the lobby on
            # every socket open, so her heartbeats keep her counted there and she gets its counts.
            self.send({"type": "lobby.enter", "event": self.event_id})
        if self.state in ("waiting", "proposed"):
            self.syncing = True
            self.send({"type": "queue.sync", "event": self.event_id})
        if self.pending:
            self.send(self.pending)
            self.pending_since = time.monotonic()
        self.attempt = 0
        self.connected.set()

    def join(self) -> None:
        if not self.joined:
            self.joined_at = time.monotonic()
        self.joined = True
        self.join_confirmed = False
        self.state = "waiting"
        self.send({"type": "queue.join", "event": self.event_id})

    def resume(self) -> None:
        self.send({"type": "resume", "rooms": {str(self.room): self.held()}})

    def held(self) -> int:
        return self.shown[-1] if self.shown else 0

    def place(self, seq: int) -> None:
        """room.js's accept(): appended strictly in seq order; one ahead of a gap waits in `early`."""
        self.seen.add(seq)
        if seq <= self.held():
            return
        if seq > self.held() + 1:
            self.early.add(seq)
            return
        self.shown.append(seq)
        while self.held() + 1 in self.early:
            self.early.discard(self.held() + 1)
            self.shown.append(self.held() + 1)

    def on_queue_status(self, frame: dict) -> None:
        if frame.get("event") != self.event_id or self.state == "matched":
            return
        if frame["state"] in ("waiting", "proposed"):
            self.join_confirmed = True
        elif frame["state"] == "none" and self.state == "waiting" and not self.join_confirmed:
            # Our queue.join went down with a socket before the server read it: join again, as
            # the student would.
            self.join()
        elif frame["state"] == "none" and self.state in ("waiting", "proposed") and self.syncing:
            # The answer to the queue.sync after a reconnect: no ticket any more (the proposal
            # ended, or she was away past the disconnect grace, and the frame saying so went to
            # the dead socket). The server repeats a match.confirmed she missed right after this;
            # without one, queue.js shows the idle panel and she joins again. A ticket dropped
            # while she stays connected is never answered this way: the audit shows it.
            asyncio.get_running_loop().call_later(SYNC_MATCH_WAIT_S, self.rejoin_unless_matched)
        self.syncing = False

    def rejoin_unless_matched(self) -> None:
        if self.state in ("waiting", "proposed") and not self.stopping:
            FRAMES["bench.rejoined_after_reconnect"] += 1
            self.join()

    def on_match_proposed(self, frame: dict) -> None:
        if self.state != "matched":
            self.state = "proposed"
            self.send({"type": "match.accept", "proposal": frame["proposal"]})

    def on_match_cancelled(self, frame: dict) -> None:
        if self.state == "matched":
            return
        if frame.get("requeued"):
            self.state = "waiting"
        else:
            self.join()  # as a student would: back into the queue

    def on_queue_left(self, frame: dict) -> None:
        if self.state in ("waiting", "proposed") and frame.get("reason") != "left":
            self.join()

    def on_match_confirmed(self, frame: dict) -> None:
        self.state = "matched"
        if frame.get("room"):
            self.room = frame["room"]

    def on_message_new(self, frame: dict) -> None:
        if frame.get("room") != self.room:
            return
        seq = frame["seq"]
        if seq < self.live_max and seq not in self.seen:
            # Overtaken by a later seq's fan-out (two senders' write batches commit on different
            # hosts and publish independently): held until it came, never shown out of order.
            FRAMES["bench.live_overtaken"] += 1
        self.live_max = max(self.live_max, seq)
        self.place(seq)
        if seq > self.held() + 1:
            self.resume()  # a gap: fetch what is missing, as the room page does

    def on_message_batch(self, frame: dict) -> None:
        if frame.get("room") == self.room:
            for message in frame["messages"]:
                self.place(message["seq"])
            self.batches += 1

    def on_message_ack(self, frame: dict) -> None:
        if self.pending and frame["client_msg_id"] == self.pending["client_msg_id"]:
            self.acked[frame["client_msg_id"]] = frame["seq"]
            self.place(frame["seq"])
            self.pending = None

    def on_error(self, frame: dict) -> None:
        FRAMES[f"error.{frame.get('code')}"] += 1
        if self.pending and frame.get("ref") == self.pending.get("ref"):
            self.pending_since = time.monotonic() - ACK_TIMEOUT_S + frame.get("retry_after_s", 2)

    # Chat --------------------------------------------------------------------------------------

    def on_pong(self, _frame: dict) -> None:
        self.last_pong = time.monotonic()

    def start_heartbeat(self) -> None:
        """As client.js's startHeartbeat: the socket's own timer, from its `hello`.

        So a crowd's pings keep the phases of their connects, as browsers' do. One timer for all
        students (the bench's until now) pinged in lockstep, and a host cut off from the balancer
        lost all its sockets at one pong timeout: a reconnect storm no browser crowd makes.
        """
        self.stop_heartbeat()
        self.heartbeat_task = asyncio.get_running_loop().create_task(self.heartbeat(self.ws))

    def stop_heartbeat(self) -> None:
        if self.heartbeat_task is not None:
            self.heartbeat_task.cancel()
            self.heartbeat_task = None

    async def heartbeat(self, ws) -> None:
        """`ping` every heartbeat interval; no `pong` within 10 s closes the socket (client.js does the same)."""
        loop = asyncio.get_running_loop()
        while ws is self.ws and not self.stopping:
            await asyncio.sleep(self.heartbeat_s)
            if ws is not self.ws:
                return
            sent_at = time.monotonic()
            self.send({"type": "ping"})
            loop.call_later(PONG_TIMEOUT_S, self.close_unless_ponged, ws, sent_at)

    def close_unless_ponged(self, ws, sent_at: float) -> None:
        if ws is self.ws and self.last_pong < sent_at:
            FRAMES["bench.pong_timeout"] += 1
            ws.transport.abort()

    async def chat(self) -> None:
        await asyncio.sleep(random.random() * self.chat_interval_s)
        while self.chatting:
            await asyncio.sleep(self.chat_interval_s * (0.5 + random.random()))
            if not self.chatting:
                # The bench's end began while she waited: a message sent now would race the
                # final resume and the close (stored after her partner's last resume, its ack
                # lost with the socket), and the audit would count the race as a loss.
                return
            if self.paused or self.room is None or not self.connected.is_set():
                continue
            now = time.monotonic()
            if self.pending is None:
                self.sent += 1
                client_msg_id = f"{self.user}-{self.sent}"
                self.pending = {
                    "type": "message.send",
                    "room": self.room,
                    "client_msg_id": client_msg_id,
                    "body": f"m {client_msg_id}",
                    "ref": client_msg_id,
                }
                self.pending_since = now
                self.send(self.pending)
            elif now - self.pending_since > ACK_TIMEOUT_S:
                self.pending_since = now
                self.send(self.pending)

    async def finish_sends(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while self.pending and time.monotonic() < deadline:
            if self.connected.is_set() and time.monotonic() - self.pending_since > 3:
                self.pending_since = time.monotonic()
                self.send(self.pending)
            await asyncio.sleep(0.5)

    def stop(self) -> None:
        self.stopping = True
        self.chatting = False
        self.stop_heartbeat()
        if self.ws:
            self.ws.transport.close()

// MatchMinds realtime client: one WebSocket per tab to /ws/, shared by every feature.
// Reconnects with full-jitter exponential backoff (reset only by `hello`), sends heartbeats, shows the connection
// state and dispatches frames by their `type` (see docs/protocol.md).
(function () {
  "use strict";

  const BACKOFF_BASE_MS = 500;
  const BACKOFF_MAX_MS = 30000;
  const PONG_TIMEOUT_MS = 10000;
  // 4401: not signed in (signed out here or in another tab); 4411: the password was changed
  // in another browser, which signed this one out (docs/protocol.md).
  const SIGNED_OUT_CODES = [4401, 4411];

  class MatchMindsSocket {
    constructor(url) {
      this.url = url;
      this.handlers = new Map();
      this.openHooks = [];
      this.attempt = 0;
      this.state = "connecting";
      this.heartbeatIntervalMs = 25000;
      this.outbox = [];
      this.connect();
    }

    on(type, handler) {
      if (!this.handlers.has(type)) this.handlers.set(type, []);
      this.handlers.get(type).push(handler);
      return this;
    }

    // Runs now if connected and again after every reconnect (resume, re-subscribe…).
    onOpen(hook) {
      this.openHooks.push(hook);
      if (this.state === "connected") hook();
      return this;
    }

    send(frame) {
      if (this.ws && this.ws.readyState === WebSocket.OPEN) {
        this.ws.send(JSON.stringify(frame));
        return true;
      }
      return false;
    }

    connect() {
      // One socket per tab: a reconnect still waiting would open a second one, and frames
      // sent meanwhile would go to a socket that is not open yet and be lost.
      clearTimeout(this.reconnectTimer);
      clearInterval(this.heartbeatTimer);
      clearTimeout(this.pongTimer);
      const previous = this.ws;
      if (previous && previous.readyState <= WebSocket.OPEN) previous.close();
      this.setState(this.attempt === 0 ? "connecting" : "reconnecting");
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.onmessage = (event) => this.ws === ws && this.receive(event.data);
      ws.onclose = (event) => {
        if (this.ws !== ws) return;
        clearInterval(this.heartbeatTimer);
        clearTimeout(this.pongTimer);
        if (SIGNED_OUT_CODES.includes(event.code)) {
          // Final: signed out. A code with a notice on the page (4411: the password was
          // changed in another browser) shows it.
          this.setState("offline");
          const notice = document.querySelector('[data-signed-out-code="' + event.code + '"]');
          if (notice) notice.hidden = false;
          document.dispatchEvent(new CustomEvent("mm:signed-out", { detail: { code: event.code } }));
          return;
        }
        this.scheduleReconnect();
      };
    }

    scheduleReconnect() {
      this.setState("reconnecting");
      const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
      const delay = Math.random() * ceiling; // full jitter spreads a crowd's reconnects
      this.attempt += 1;
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    }

    // Forces a reconnect, e.g. after the network comes back.
    reconnect() {
      if (this.ws) this.ws.close();
    }

    receive(data) {
      let frame;
      try {
        frame = JSON.parse(data);
      } catch (error) {
        return;
      }
      if (frame.type === "hello") {
        // Only a hello proves the server took this socket: a busy server accepts and closes
        // at once (4013), and resetting on open made a crowd of refused tabs retry in lockstep.
        this.attempt = 0;
        this.heartbeatIntervalMs = (frame.heartbeat_interval_s || 25) * 1000;
        this.setState("connected");
        this.startHeartbeat();
        this.openHooks.forEach((hook) => hook(frame));
      } else if (frame.type === "pong") {
        clearTimeout(this.pongTimer);
      }
      (this.handlers.get(frame.type) || []).forEach((handler) => handler(frame));
      (this.handlers.get("*") || []).forEach((handler) => handler(frame));
    }

    startHeartbeat() {
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = setInterval(() => {
        if (!this.send({ type: "ping" })) return;
        clearTimeout(this.pongTimer);
        // A socket that stops answering is dead even if the browser has not noticed.
        this.pongTimer = setTimeout(() => this.ws.close(), PONG_TIMEOUT_MS);
      }, this.heartbeatIntervalMs);
    }

    setState(state) {
      this.state = state;
      document.querySelectorAll("[data-ws-state]").forEach((el) => {
        el.dataset.wsState = state;
        el.textContent = el.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)] || state;
      });
      const banner = document.querySelector(".reconnect-banner");
      if (banner) banner.hidden = state !== "reconnecting";
      document.dispatchEvent(new CustomEvent("mm:ws-state", { detail: { state } }));
    }
  }

  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  window.MatchMindsSocket = MatchMindsSocket;
  window.mmSocket = new MatchMindsSocket(scheme + "://" + window.location.host + "/ws/");
  window.addEventListener("online", () => window.mmSocket.reconnect());
})();

"""The Celery broker connection, made safe for the worker's reconnect after Redis goes away.

On a lost broker connection Celery 5.7's worker calls `collect()` on it and then `close()`
(celery/worker/consumer/consumer.py, on_connection_error_after_connected). When the loss is
noticed on the pub/sub socket (gossip, remote control) while the channel still waits on BRPOP,
collect()'s close of the default channel fails half-way with Redis down and leaves the channel
open; collect() then detaches the transport from the connection, and close() closes that
channel a second time. kombu 5.7's Redis channel then needs the broker address to put back the
unacknowledged messages, finds the detached `None`, and raises AttributeError ('NoneType' object
has no attribute 'hostname' in _connparams / restore_unacked), which the worker treats as an
unrecoverable error: it exits instead of reconnecting.

Once collect() has let go of the connection, its default channel belongs to nobody: forgetting
it makes the second close a no-op. Nothing is lost: the unacknowledged messages stay in Redis's
unacked index and kombu's restore_visible puts them back after the visibility timeout.
"""

from celery.app.amqp import AMQP
from kombu import Connection


class BrokerConnection(Connection):
    def collect(self, socket_timeout=None):
        super().collect(socket_timeout)
        self._default_channel = None


class BrokerAMQP(AMQP):
    Connection = BrokerConnection

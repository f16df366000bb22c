"""The fence around the WebSocket transport: the only code that touches private APIs of
channels-redis, redis-py, autobahn and twisted (the channel layer, the publisher, the server
tuning). `apps/realtime/tests/test_transport_contract.py` names the library versions it was
written against and fails loudly when an upgrade changes what it relies on."""

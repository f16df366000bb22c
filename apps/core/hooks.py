"""Named hooks: how a lower app lets higher apps react without importing them.

The lower app declares a `Hook` in its `hooks.py` and calls it at the one place the fact
happens; a higher app registers its handler in its `AppConfig.ready()`. Handlers run in
registration order, synchronously, inside the caller's transaction (docs/architecture.md).
"""

from collections.abc import Callable
from typing import Any


class HookNotConnected(RuntimeError):
    """A hook that needs its one provider was called before any app registered one."""


class Hook:
    def __init__(self, name: str) -> None:
        self.name = name
        self.handlers: list[Callable[..., Any]] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self.handlers)} handlers>"

    def register(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """Add a handler (once: registering it again changes nothing); usable as a decorator."""
        if handler not in self.handlers:
            self.handlers.append(handler)
        return handler

    def send(self, **kwargs: Any) -> list[Any]:
        """Call every handler with the keyword arguments; return their results in order."""
        return [handler(**kwargs) for handler in self.handlers]

    def call(self, **kwargs: Any) -> Any:
        """Ask the hook's single provider; fail loudly when there is none or more than one."""
        if len(self.handlers) != 1:
            raise HookNotConnected(f"{self.name} needs exactly one provider, has {len(self.handlers)}")
        return self.handlers[0](**kwargs)

"""Process-wide state: localstripe's store (kept in memory only) and the hooks that wipe it.

localstripe pickles its whole store to ``/tmp/localstripe.pickle`` on every write and reloads that
file at start-up. Two servers running at the same time (parallel test runs) would then share and
overwrite each other's data, so both methods are replaced by no-ops here, before anything is written.
Every other module imports this one first (directly or through ``context``).
"""

from collections.abc import Callable

from localstripe import resources


def _in_memory_only(self, *args, **kwargs):
    return None


resources.Store.dump_to_disk = _in_memory_only
resources.Store.try_load_from_disk = _in_memory_only

store = resources.store

_reset_hooks: list[Callable[[], None]] = []
_generation = 0


def on_reset(hook: Callable[[], None]) -> Callable[[], None]:
    """Register a function that clears a module's own state when ``DELETE /_config/data`` is called."""
    _reset_hooks.append(hook)
    return hook


def wipe() -> None:
    global _generation
    store.clear()
    # Delayed callbacks (payout settlement) compare generations so work scheduled before a wipe
    # cannot write into the fresh state of the next test.
    _generation += 1
    for hook in _reset_hooks:
        hook()


def generation() -> int:
    return _generation

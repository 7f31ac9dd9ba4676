"""Per-platform and per-account scoping of every localstripe object, patched in from the outside.

Stripe keeps a separate world per platform (API key) and, inside it, per connected account: with
``Stripe-Account: acct_...`` you only see that account's charges, balance transactions, payouts,
events. localstripe has a single global store, so each object is tagged with the platform and the
account current at creation time, and retrieve/list/delete only see objects of the current pair.
Unknown ids, and ids of another platform or account, fail alike (``resource_missing``).
"""

from localstripe.resources import Event, List, StripeObject

from .context import current_account, current_platform, current_request, visible
from .errors import no_such
from .state import store
from .version import API_VERSION

_original_init = StripeObject.__init__
_original_list_all = StripeObject.__dict__["_api_list_all"].__func__
_original_delete = StripeObject.__dict__["_api_delete"].__func__
_original_event_init = Event.__init__


def _init(self, id=None):
    _original_init(self, id)
    if not isinstance(self, List):
        self._account = current_account()
        self._platform = current_platform()


def _retrieve(cls, id):
    obj = store.get(f"{cls.object}:{id}") if isinstance(id, str) else None
    if obj is None or not visible(obj):
        raise no_such(cls.object, id)
    return obj


def _list_all(cls, url, limit=None, starting_after=None, **kwargs):
    result = _original_list_all(cls, url, limit=limit, starting_after=starting_after, **kwargs)
    result._list = [obj for obj in result._list if visible(obj)]
    return result


def _delete(cls, id):
    cls._api_retrieve(id)  # 404 for objects of other accounts
    return _original_delete(cls, id)


def _event_init(self, type, data):
    """Stripe's event shape: ``account`` on a connected account's events, the pinned ``api_version``, the
    ``request`` that caused it, and how many endpoints still wait for it (set when deliveries are planned)."""
    _original_event_init(self, type, data)
    if current_account() is not None:
        self.account = current_account()
    self.api_version = API_VERSION
    self.request = current_request()
    self.pending_webhooks = 0


StripeObject.__init__ = _init
StripeObject._api_retrieve = classmethod(_retrieve)
StripeObject._api_list_all = classmethod(_list_all)
StripeObject._api_delete = classmethod(_delete)
Event.__init__ = _event_init

"""Quotes from the network: what is really ordered, against the committed schedule, in about a second.

`quote_items` is the one quote: every line (compiled operations × quantity) as batches (problem/batches.py),
one order to one destination, one matching problem — the configurator (`quote_configuration`), a saved design
(`quote_design_version`), the quotes API, the cart and checkout (storefront/order_quoting.py) all go through
it. It solves the lead-time variants (options.py), prices each plan (production + materials + transport + each
line's template margin, engine/pricing.py) and answers with the cheapest option that arrives by the requested
day, the options to choose from, the delivery date, the asset owners involved and, for quotes that matter, the
plan's run (a MatchingRun in mode "quote"). `price_breaks` quotes a configuration at each of its template's
quantities. Answers are cached per network (cache.py).

When the network cannot make the design the answer says why in words a customer can act on (reasons.py: the
step, each machine's own reason and what to change); when no eligible workshop offers a required process at
all, the catalogue's own estimate stands in and `source` says so. A requested day nothing can meet is refused
(`SOURCE_TOO_EARLY`) with the earliest possible day.

The modules, by responsibility:
- quotes.py: the ways to ask (`quote_items`, `quote_configuration`, `quote_design_version`, `price_breaks`);
- context.py: what one request's quotes share (`quote_context`) and a question's cache key;
- cache.py: the network's quote cache and plan version;
- cart_problem.py: the cart as one matching problem, and its lead-time variants;
- solving.py: the variants solved and priced; options.py: choosing distinct options, pricing by line;
- answers.py: the answer the customer sees and the run kept; reasons.py: why it cannot be made;
- results.py: the values asked and answered.

This package's public names are the ones below; import them from `apps.matching.quoting`.
"""

from apps.matching.quoting.context import QuoteContext, quote_context
from apps.matching.quoting.quotes import price_breaks, quote_configuration, quote_design_version, quote_items
from apps.matching.quoting.results import (
    SOURCE_INFEASIBLE,
    SOURCE_MATCHED,
    SOURCE_TOO_EARLY,
    MatchingQuote,
    PriceBreak,
    QuoteItem,
)

__all__ = [
    "SOURCE_INFEASIBLE",
    "SOURCE_MATCHED",
    "SOURCE_TOO_EARLY",
    "MatchingQuote",
    "PriceBreak",
    "QuoteContext",
    "QuoteItem",
    "price_breaks",
    "quote_configuration",
    "quote_context",
    "quote_design_version",
    "quote_items",
]

"""What happened in one domain that others act on, as blinker signals (Flask's own).

Each signal is declared here and sent by the domain that owns the fact; `create_app` connects every
receiver in one place (`configurator.connect_events`), so no domain imports another's services to tell
it something. Receivers run at once, in the sender's transaction: what they write commits or rolls
back with the fact itself (the outbox row of an order confirmation, for one).
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

# Sender: the order, locked, in the transaction that changes its status.
order_paid = signals.signal("order-paid")
order_cancelled = signals.signal("order-cancelled")
order_refunded = signals.signal("order-refunded")

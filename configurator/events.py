"""What happened in one domain that others act on, as blinker signals (Flask's own).

Each signal is declared here and sent by the domain that owns the fact; `create_app` connects every
receiver in one place (`configurator.connect_events`), so no domain imports another's services to tell
it something. Receivers run at once, in the sender's transaction: what they write commits or rolls
back with the fact itself (the outbox row of an order confirmation, for one).

One signal is a question rather than news (`uploads_named`): the sender gathers its receivers'
answers, so a domain can ask the others without knowing who they are.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

# Sender: the order, locked, in the transaction that changes its status.
order_paid = signals.signal("order-paid")
order_cancelled = signals.signal("order-cancelled")
order_refunded = signals.signal("order-refunded")

# Sender: the design, flushed (it has its public id), before the commit that saves it; a remix names
# its original in `remixed_from_id`.
design_saved = signals.signal("design-saved")
# Sender: the new cart, added to the session, before its commit.
cart_opened = signals.signal("cart-opened")
# Sender: the new cart line, added to its cart, before its commit.
cart_line_added = signals.signal("cart-line-added")

# Asked by the uploads domain (sender: its collector), with `ids` and `since`: each receiver returns
# the set of upload ids among `ids` that what its domain made since `since` names. A photo no answer
# names may be removed.
uploads_named = signals.signal("uploads-named")

# Sender: the idea, locked, in the transaction that changes its status; `recipients` is a list of
# (e-mail, locale) of its followers, `link` the idea's public page.
idea_status_changed = signals.signal("idea-status-changed")

# Sender: the shopper, before the preferences domain erases what it keeps of them; each receiver
# deletes or anonymises what its domain keeps, in the same transaction.
shopper_erasing = signals.signal("shopper-erasing")
# Asked by the preferences domain (sender: the shopper) when it exports what is kept of them: each
# receiver returns a dict of sections (name -> JSON-ready list) that its domain keeps.
shopper_exporting = signals.signal("shopper-exporting")

# Sender: the order of a pre-order, locked, in the transaction that settles it: `preorder_released`
# (the edition was not made; nothing was charged) or `preorder_declined` (made, but the saved card
# was refused off-session: the order waits for the shopper to pay; `reason` is the provider's code).
preorder_released = signals.signal("preorder-released")
preorder_declined = signals.signal("preorder-declined")

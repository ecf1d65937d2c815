"""The partners' ledger: how a money event splits (:mod:`~partners.ledger.split`), the
terms it splits by, the entries it writes and the hooks that write them."""

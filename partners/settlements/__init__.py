"""A partner's monthly settlements: their periods, opening, closing, statements and
transfers."""

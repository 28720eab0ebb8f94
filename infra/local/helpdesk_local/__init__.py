"""The local stack: the whole helpdesk on one machine, on an embedded AWS (moto server)."""

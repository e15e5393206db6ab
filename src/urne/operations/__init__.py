"""Operations: the node's health, Prometheus metrics, the staff's supervision page and the
structured logs (docs/supervision.md)."""

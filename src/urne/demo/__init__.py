"""The demonstration campaign: fictional but realistic data, and the `urne demo` command."""

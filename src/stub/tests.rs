//! Unit tests of the handlers through `app()` (no sockets).

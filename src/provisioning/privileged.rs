//! Privileged apps (placeholder).

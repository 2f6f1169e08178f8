//! The APN database (importers and lookup land with the APN-database work).

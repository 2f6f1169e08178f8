-- Schema version 1 of the mbimd APN database (see src/db.rs).
CREATE TABLE source (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,      -- canonical path of the imported file
    kind        TEXT NOT NULL CHECK (kind IN ('mbpi', 'android')),
    sha256      TEXT NOT NULL,             -- of the file's bytes; same hash = nothing to do
    priority    INTEGER NOT NULL,          -- tie-break between sources, lower wins
    imported_at INTEGER NOT NULL,          -- unix seconds
    apns        INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    cdma_sids   INTEGER NOT NULL,
    warnings    INTEGER NOT NULL
);

CREATE TABLE apn (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,      -- document order within the source
    record          INTEGER NOT NULL,      -- <apn> element index; network-id expansion shares it
    mcc             TEXT,                  -- strings: '05' and '005' are different MNCs
    mnc             TEXT,
    country         TEXT,
    provider        TEXT NOT NULL,
    primary_flag    INTEGER,               -- MBPI provider primary="true|false"
    apn             TEXT NOT NULL,
    name            TEXT,
    purposes        INTEGER NOT NULL,      -- bit set, see model::Purpose
    types_explicit  INTEGER NOT NULL,
    types_raw       TEXT,
    plan            TEXT,
    username        TEXT,
    password        TEXT,
    auth            TEXT,
    ip_type         TEXT,
    roaming_ip_type TEXT,
    mvno_type       TEXT CHECK (mvno_type IN ('iccid', 'imsi', 'gid1', 'spn')),
    mvno_match      TEXT,
    carrier_id      INTEGER,
    network_types   INTEGER,
    enabled         INTEGER NOT NULL,
    mmsc            TEXT,
    mmsproxy        TEXT,
    mmsport         TEXT,
    proxy           TEXT,
    port            TEXT,
    dns             TEXT,
    gateway         TEXT,
    extra           TEXT,
    UNIQUE (source_id, seq)
);
CREATE INDEX apn_plmn ON apn (mcc, mnc);
CREATE INDEX apn_provider ON apn (provider COLLATE NOCASE);

CREATE TABLE cdma (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    sid       INTEGER NOT NULL,
    provider  TEXT NOT NULL,
    country   TEXT,
    username  TEXT,
    password  TEXT,
    dns       TEXT,
    UNIQUE (source_id, seq)
);
CREATE INDEX cdma_sid ON cdma (sid);

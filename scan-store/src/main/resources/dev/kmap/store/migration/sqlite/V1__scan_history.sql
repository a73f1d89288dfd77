-- kmap store schema, version 1 (SQLite). Times are epoch milliseconds; text that a peer controls
-- (script output, banners, names) is stored as StoredText encodes it (NUL-free).

-- One row per scan process; the shards of one scan share group_id.
CREATE TABLE kmap_scan (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id VARCHAR(64) NOT NULL,
    shard_index INTEGER NOT NULL,
    shard_count INTEGER NOT NULL,
    plan_hash VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    heartbeat_at BIGINT NOT NULL,
    process VARCHAR(255) NOT NULL,
    plan_json TEXT NOT NULL,
    command_line TEXT NOT NULL,
    kmap_version VARCHAR(64) NOT NULL,
    options_json TEXT NOT NULL,
    targets TEXT NOT NULL,
    target_count BIGINT NOT NULL,
    hosts_up BIGINT NOT NULL,
    hosts_down BIGINT NOT NULL,
    hosts_total BIGINT NOT NULL,
    probes_sent BIGINT NOT NULL,
    open_ports BIGINT NOT NULL,
    expectations_json TEXT,
    violations_json TEXT,
    CONSTRAINT kmap_scan_shard UNIQUE (group_id, shard_index)
);
CREATE INDEX kmap_scan_plan ON kmap_scan (plan_hash, shard_count);

-- Hosts in the order they were first seen (host_no); finish_seq is the order they finished;
-- complete is false for a host a stopped scan cut short (reported with the ports found so far).
CREATE TABLE kmap_host (
    scan_id BIGINT NOT NULL REFERENCES kmap_scan (id) ON DELETE CASCADE,
    host_no INTEGER NOT NULL,
    finish_seq INTEGER,
    position BIGINT,
    address VARCHAR(45) NOT NULL,
    name TEXT,
    status VARCHAR(8) NOT NULL,
    reason TEXT NOT NULL,
    reverse_name TEXT,
    latency_micros BIGINT,
    started_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    timed_out BOOLEAN NOT NULL,
    error TEXT,
    complete BOOLEAN NOT NULL,
    PRIMARY KEY (scan_id, host_no)
) WITHOUT ROWID;

CREATE TABLE kmap_port (
    scan_id BIGINT NOT NULL,
    host_no INTEGER NOT NULL,
    protocol VARCHAR(4) NOT NULL,
    port INTEGER NOT NULL,
    state VARCHAR(16) NOT NULL,
    reason TEXT NOT NULL,
    service TEXT,
    rtt_micros BIGINT,
    PRIMARY KEY (scan_id, host_no, protocol, port),
    FOREIGN KEY (scan_id, host_no) REFERENCES kmap_host (scan_id, host_no) ON DELETE CASCADE
) WITHOUT ROWID;

-- What service detection found on a port (nmap's <service> attributes).
CREATE TABLE kmap_service (
    scan_id BIGINT NOT NULL,
    host_no INTEGER NOT NULL,
    protocol VARCHAR(4) NOT NULL,
    port INTEGER NOT NULL,
    name TEXT NOT NULL,
    product TEXT,
    version TEXT,
    extra_info TEXT,
    hostname TEXT,
    os_type TEXT,
    device_type TEXT,
    method VARCHAR(16),
    confidence INTEGER,
    cpe TEXT,
    PRIMARY KEY (scan_id, host_no, protocol, port),
    FOREIGN KEY (scan_id, host_no) REFERENCES kmap_host (scan_id, host_no) ON DELETE CASCADE
) WITHOUT ROWID;

-- Script results of a port, or of the host (protocol '' and port 0).
CREATE TABLE kmap_script (
    scan_id BIGINT NOT NULL,
    host_no INTEGER NOT NULL,
    protocol VARCHAR(4) NOT NULL,
    port INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    script_id TEXT NOT NULL,
    output TEXT NOT NULL,
    elements_json TEXT,
    PRIMARY KEY (scan_id, host_no, protocol, port, seq),
    FOREIGN KEY (scan_id, host_no) REFERENCES kmap_host (scan_id, host_no) ON DELETE CASCADE
) WITHOUT ROWID;

-- Where a scan was: the target order position every host before which is finished, and the
-- engine's checkpoint as JSON. Only the latest row per scan matters.
CREATE TABLE kmap_checkpoint (
    scan_id BIGINT NOT NULL REFERENCES kmap_scan (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    at_millis BIGINT NOT NULL,
    position BIGINT NOT NULL,
    data_json TEXT NOT NULL,
    PRIMARY KEY (scan_id, seq)
) WITHOUT ROWID;

-- Learned timing: per network (an IPv4 /24 or an IPv6 /64), what the last scans measured.
CREATE TABLE kmap_network_timing (
    network VARCHAR(64) NOT NULL PRIMARY KEY,
    srtt_micros BIGINT NOT NULL,
    rttvar_micros BIGINT NOT NULL,
    loss DOUBLE PRECISION NOT NULL,
    samples BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    scan_id BIGINT
);

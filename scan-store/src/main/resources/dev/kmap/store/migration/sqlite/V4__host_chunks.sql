-- kmap store schema, version 4: finished hosts in chunks. Complete hosts without scripts or
-- service detection, and whose ports were not stored while they were scanned, are stored
-- compactly with their ports, one row per writer commit (the bulk of a sweep: 65536 hosts with a
-- port or none each). first_seq and last_seq bound the finish sequences of the chunk's hosts (the
-- order of kmap_host.finish_seq, shared with the host rows); max_host_no, the counts of hosts up
-- and down and of open ports let the numbering, the history and a resume go on without decoding.
-- Hosts with scripts or service detection stay rows of kmap_host and kmap_port.
-- Stores of version 3 keep their rows: kmap reads both.

CREATE TABLE kmap_host_chunk (
    scan_id BIGINT NOT NULL REFERENCES kmap_scan (id) ON DELETE CASCADE,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    max_host_no INTEGER NOT NULL,
    hosts_up INTEGER NOT NULL,
    hosts_down INTEGER NOT NULL,
    open_ports INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (scan_id, first_seq)
) WITHOUT ROWID;

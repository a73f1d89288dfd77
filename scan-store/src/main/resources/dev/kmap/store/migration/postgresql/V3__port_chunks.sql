-- kmap store schema, version 3: plain ports in chunks. The ports that carry nothing but protocol,
-- port, state, reason, service name and RTT and are not open (the closed and filtered bulk of a
-- -p- scan) are stored compactly, one row per host per writer commit (seq: the commit order; a
-- port in a later chunk supersedes the same port in an earlier one, and a kmap_port row supersedes
-- both). Open ports, and every port with service detection or scripts, stay rows of kmap_port.
-- Stores of version 2 keep their rows: kmap reads both.

CREATE TABLE kmap_port_chunk (
    scan_id BIGINT NOT NULL,
    host_no INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (scan_id, host_no, seq),
    FOREIGN KEY (scan_id, host_no) REFERENCES kmap_host (scan_id, host_no) ON DELETE CASCADE
);

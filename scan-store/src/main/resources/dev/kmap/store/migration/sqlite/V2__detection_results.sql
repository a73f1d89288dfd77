-- kmap store schema, version 2: what -sV, passive discovery and loss accounting add to a result.
-- Service detection's findings are one JSON document per port (product, version, CPE, TLS, trace:
-- query them with json_extract(service_json, '$.product') in SQLite or service_json::json->>'product'
-- in PostgreSQL); version 1's kmap_service table was never written and goes.

ALTER TABLE kmap_scan ADD COLUMN probes_unanswered BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kmap_scan ADD COLUMN reprobes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kmap_scan ADD COLUMN reprobes_answered BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kmap_scan ADD COLUMN rate_lowered BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE kmap_host ADD COLUMN mac VARCHAR(17);
ALTER TABLE kmap_host ADD COLUMN hostnames_json TEXT;
ALTER TABLE kmap_host ADD COLUMN os_json TEXT;

ALTER TABLE kmap_port ADD COLUMN service_json TEXT;

DROP TABLE kmap_service;

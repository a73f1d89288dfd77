-- kmap store schema, version 5: the chunks' bytes are compressed with LZ4 instead of pglz (the
-- default) when the server has it (PostgreSQL 14 or later, built with lz4, as Debian's is).
-- The chunks are TOASTed as they are written, inside the scan's commits on the scan's machine or
-- beside it: pglz cost the server ~105 ms of CPU per /16 sweep, LZ4 ~65 ms (measured), for a
-- little less compression (a sweep's host chunks: 3.1x with LZ4, 3.7x with pglz). A server without
-- LZ4 keeps pglz (a store works the same either way; rows written before keep how they were compressed).

DO $$
BEGIN
    EXECUTE 'ALTER TABLE kmap_port_chunk ALTER COLUMN data SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE kmap_host_chunk ALTER COLUMN data SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value THEN
    NULL;
END
$$;

-- kmap store schema, version 5: PostgreSQL compresses the chunks' bytes with LZ4. SQLite stores
-- them as they are: nothing changes here (the version stays the same in both dialects).

SELECT 5;

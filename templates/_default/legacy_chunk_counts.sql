-- slice: key: legacy's rows per chunk (NULL: a key with a NULL part, in no chunk), counted as the slices count them.
SELECT chunk_index, count(*) AS legacy_rows FROM (SELECT {{chunk}} AS chunk_index FROM {{legacy}}) AS c GROUP BY chunk_index;

-- Rows of one window that differ, legacy and target side by side.
WITH l AS (
{{legacy_rows}}
)
SELECT * FROM (
  SELECT
    {{columns}},
    {{hashes}}
  FROM l LEFT JOIN {{target}} AS t ON {{key_match}}
) AS j
WHERE {{differs}}
ORDER BY {{order}}
LIMIT {{limit}};

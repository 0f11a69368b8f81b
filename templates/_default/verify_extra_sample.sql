-- Target rows of one window whose key legacy does not hold (live data, or rows loaded twice).
SELECT {{columns}}
FROM {{target}}
WHERE {{window}}
  AND NOT EXISTS (SELECT 1 FROM {{legacy}} AS a WHERE {{extra_match}})
LIMIT {{limit}};

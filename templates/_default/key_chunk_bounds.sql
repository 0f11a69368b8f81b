-- slice: key: every {{chunk_rows}}-th key of legacy in key order (after the first), the inner bounds of the chunks.
SELECT k FROM (
  SELECT {{key}} AS k, row_number() OVER (ORDER BY {{key}}) AS rn FROM {{legacy}} WHERE {{key}} IS NOT NULL
) AS q
WHERE rn > 1 AND mod(rn - 1, {{chunk_rows}}) = 0
ORDER BY k;

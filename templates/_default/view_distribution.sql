SELECT {{source_flag}} AS source_flag, count(*) AS row_count
FROM {{view}}
GROUP BY {{source_flag}}
ORDER BY {{source_flag}};

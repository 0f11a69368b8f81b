{{create_view}} {{view}} AS
SELECT {{target_columns}}, {{dlt_flag}} AS {{source_flag}}
FROM {{target}};

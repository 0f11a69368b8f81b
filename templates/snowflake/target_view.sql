-- COPY GRANTS keeps the view's privileges across the replacement (see stitched_view.sql).
{{create_view}} {{view}} COPY GRANTS AS
SELECT {{target_columns}}, {{dlt_flag}} AS {{source_flag}}
FROM {{target}};

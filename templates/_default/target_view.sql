{{create_view}} {{view}}{{#view_options}} {{view_options}}{{/view_options}} AS
SELECT {{target_columns}}, {{dlt_flag}} AS {{source_flag}}
FROM {{target}};

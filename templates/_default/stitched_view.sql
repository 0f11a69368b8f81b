-- The target wins: a legacy row is shown only while its key is not in the
-- target, so no key appears twice in any phase of the migration.
{{create_view}} {{view}}{{#view_options}} {{view_options}}{{/view_options}} AS
SELECT {{target_columns}}, {{dlt_flag}} AS {{source_flag}}
FROM {{target}}
UNION ALL
SELECT {{legacy_columns}}, {{legacy_flag}} AS {{source_flag}}
FROM (
{{legacy_rows}}
) AS a
WHERE NOT EXISTS (SELECT 1 FROM {{target}} AS t WHERE {{key_match}});

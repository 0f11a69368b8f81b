-- As _default/stitched_view.sql (the target wins), with COPY GRANTS: CREATE OR REPLACE VIEW otherwise drops
-- every privilege granted on the view, so its readers would lose it at each stitch, cutover and rollback.
{{create_view}} {{view}} COPY GRANTS AS
SELECT {{target_columns}}, {{dlt_flag}} AS {{source_flag}}
FROM {{target}}
UNION ALL
SELECT {{legacy_columns}}, {{legacy_flag}} AS {{source_flag}}
FROM (
{{legacy_rows}}
) AS a
WHERE NOT EXISTS (SELECT 1 FROM {{target}} AS t WHERE {{key_match}});

-- scd2: records with more than one current version (valid_to carrying the
-- active marker){{#source}}, among the slice's records{{/source}}. dlt retires only current
-- versions, so two of them would both stay current after its next load.
SELECT count(*) AS records_current_twice FROM (
  SELECT {{t_record_key}} FROM {{target}} AS t
  WHERE {{t_active}}{{#source}} AND EXISTS (SELECT 1 FROM (
{{source}}
  ) AS s WHERE {{t_s_match}}){{/source}}
  GROUP BY {{t_record_key}} HAVING count(*) > 1
) AS d;

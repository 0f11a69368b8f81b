-- The staging table of {{target_name}} (strategy: staging): the backfill writes it, migrate promote moves it into the target.
CREATE TABLE {{table}} (
  {{columns}}
);

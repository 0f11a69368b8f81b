-- Legacy rows whose value a narrower target column would change (truncated, rounded), per column; read-only.
SELECT {{counts}} FROM {{legacy}};

// Before any test file loads snowflake-sdk: it would otherwise probe cloud metadata addresses as it loads.
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE = '1';

"""What every module shares: settings, auth and organisations, errors, streams, rollups, alerts, charts."""

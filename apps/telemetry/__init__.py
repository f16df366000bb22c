"""Platform telemetry: business metrics every app records and the dashboard reads."""

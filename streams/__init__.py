"""Kafka in and out (issue 9): events arrive as messages keyed by the spec's partition key,
findings leave as alerts. Not built yet; the engine's ingest and detection are what it
will call."""
